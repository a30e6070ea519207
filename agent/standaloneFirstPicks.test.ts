/**
 * The first connections after loading a rules file go where the kernel's go after `ipvsadm -R` of the
 * same file: -R adds the real servers in file order, the kernel keeps them head-first, and rr/wrr
 * start at the head. The expected picks are the kernel's own (lab/fixtures/scheduler-sequences.json,
 * observed in the lab and re-checked by lab/traffic.test.ts), mapped onto loopback backends.
 */
import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { startStandalone } from "./standalone.ts";
import { connect, freePort, startBackend, type Backend } from "./engines/userspace/testing.ts";

const fixture = JSON.parse(readFileSync(path.join(import.meta.dirname, "..", "lab", "fixtures", "scheduler-sequences.json"), "utf8")) as {
  services: Array<{ scheduler: string; destinationsInAddOrder: Array<{ address: string; port: number; weight: number }>; observed: string[] }>;
};

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe("standalone: first picks after loading a file equal the kernel's after ipvsadm -R", () => {
  for (const scheduler of ["rr", "wrr"]) {
    it(`${scheduler} over three real servers`, async () => {
      const f = fixture.services.find((s) => s.scheduler === scheduler)!;
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), "lvs-first-"));
      const vip = scheduler === "rr" ? "127.0.41.1" : "127.0.41.2";
      const port = await freePort(vip);
      // kernel RIP i ↔ loopback backend i, in the file's (= add) order
      const backends: Backend[] = [];
      for (let i = 0; i < f.destinationsInAddOrder.length; i++) backends.push(await startBackend(f.destinationsInAddOrder[i]!.address, `127.0.42.${i + 1}`));
      const rules = path.join(dir, "ipvsadm.rules");
      await fs.writeFile(rules, `-A -t ${vip}:${port} -s ${scheduler}\n` + f.destinationsInAddOrder.map((d, i) => `-a -t ${vip}:${port} -r 127.0.42.${i + 1}:${backends[i]!.port} -m -w ${d.weight}\n`).join(""));
      const s = await startStandalone({ rules, out: new PassThrough(), err: new PassThrough(), signals: false, engine: { tickMs: 0 } });
      cleanup.push(async () => {
        await s.stop();
        for (const b of backends) await b.close();
        await fs.rm(dir, { recursive: true });
      });
      const picks: string[] = [];
      for (let i = 0; i < f.observed.length; i++) {
        const c = await connect(vip, port);
        picks.push(`${c.name}:80`);
        await c.close();
      }
      expect(picks).toEqual(f.observed);
    });
  }
});
