/**
 * No VM needed: the scheduler sequences the real kernel produced (lab/fixtures/scheduler-sequences.json,
 * re-checked against the kernel by lab/traffic.test.ts on every lab run) replayed through our
 * schedulers give the same real server at every step, and the same kernel list order.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { replaySequence, type FixtureService } from "./schedulerReplay.ts";

const fixture = JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures", "scheduler-sequences.json"), "utf8")) as {
  kernel: string;
  services: FixtureService[];
};

describe(`our schedulers replay the kernel's observed choices (${fixture.kernel})`, () => {
  it("the fixture covers every scheduler the lab kernel has (twos is not in 6.1)", () => {
    expect(fixture.services.map((s) => s.scheduler).sort()).toEqual(["dh", "fo", "lblc", "lblcr", "lc", "mh", "nq", "ovf", "rr", "sed", "sh", "wlc", "wrr"]);
  });
  for (const f of fixture.services) {
    it(`${f.scheduler}: ${f.observed.length} connections, same server each time`, () => {
      const r = replaySequence(f);
      expect(r.listOrder).toEqual(f.kernelListOrder);
      expect(r.picks).toEqual(f.observed);
    });
  }
  it("a wrong expectation is caught (the replay is not vacuous)", () => {
    const wrr = fixture.services.find((s) => s.scheduler === "wrr")!;
    const swapped = { ...wrr, destinationsInAddOrder: [...wrr.destinationsInAddOrder].reverse() };
    expect(replaySequence(swapped).picks).not.toEqual(wrr.observed);
  });
});
