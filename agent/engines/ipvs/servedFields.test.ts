import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { genTable } from "../../../lvs/testing/bigTable.ts";
import { serviceKeyString } from "../../../lvs/tableKey.ts";
import type { IpvsTable, StatsSnapshot } from "../../../lvs/model.ts";
import { StatsFieldsEncoder, StatsFieldsMerger, type StatsFieldsBody } from "../../../lvs/stats/statsFields.ts";
import { statsFieldsJson } from "../../../lvs/stats/statsFieldsJson.ts";
import { IpvsEngine } from "./ipvsEngine.ts";
import { FAKE_HELPER, FakeNetlinkHelper } from "./fakeNetlinkHelper.ts";
import { ServedFieldsReader } from "./servedFields.ts";
import { startAnswerServer } from "./answerServer.ts";
import { buildIpvsHelper } from "./native/buildHelper.ts";
import type { Exec } from "./exec.ts";

const BIG = 2 ** 53 - 1;
const count = fc.oneof(fc.nat({ max: 5_000_000 }), fc.integer({ min: BIG - 10 ** 6, max: BIG }), fc.constant(0));
const ten = fc.array(count, { minLength: 10, maxLength: 10 }).map((a) => ` ${a.join(" ")}`);
const byKey = (s: StatsSnapshot) => new Map(s.services.map((x) => [serviceKeyString(x.key), x]));

let dir: string;
let helper: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "served-fields-"));
  helper = buildIpvsHelper(path.join(os.tmpdir(), "lvs-ipvs-nl-vitest", "lvs-ipvs-nl"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The real helper in serve mode, its "kernel" a listing file rewritten from the fake's table before each read. */
function servedEngine(k: FakeNetlinkHelper, listing: string, budget?: number): { engine: IpvsEngine; exec: Exec } {
  const exec: Exec = {
    run: (argv, stdin) => k.run(argv, stdin),
    serve: (argv) => {
      expect(argv).toEqual([FAKE_HELPER, "serve"]);
      return startAnswerServer([helper, "serve", "--listing", listing], { timeoutMs: 20_000 });
    },
  };
  return { engine: new IpvsEngine({ exec, helper: FAKE_HELPER, statsStateFile: "/run/x", now: () => 7, ...(budget ? { statsFieldsBudget: budget } : {}) }), exec };
}

/** the frames as the control plane gets them: the link's bytes, parsed */
const wire = (b: Uint8Array) => {
  const { v: _v, type: _t, ...body } = JSON.parse(new TextDecoder().decode(b)) as StatsFieldsBody & { v: number; type: string };
  return body;
};

describe("lvs-ipvs-nl serve (the real helper, a listing for a kernel) → ServedFields → frames", () => {
  it("full + the helper's differences == every read's whole listing, as figures go up, down (-Z) and near 2^53, services come and go and real servers change (property; IPv6, fwmark)", async () => {
    const base = genTable(24, 4);
    expect(base.services.some((s) => s.protocol === "fwmark") && base.services.some((s) => s.family === "inet6")).toBe(true);
    let run = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({
        figures: fc.array(fc.tuple(fc.nat({ max: 23 }), fc.integer({ min: -1, max: 3 }), ten, fc.array(fc.nat({ max: 9 }), { minLength: 3, maxLength: 3 })), { maxLength: 16 }),
        present: fc.array(fc.boolean(), { minLength: 24, maxLength: 24 }),
        reshape: fc.array(fc.tuple(fc.nat({ max: 23 }), fc.nat({ max: 31 })), { maxLength: 3 }),
        full: fc.boolean(),
      }), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 120 }),
      async (steps, budget) => {
        const listing = path.join(dir, `listing-${run++}`);
        const k = new FakeNetlinkHelper();
        // small budgets: the helper's segments and the encoder's frames split often
        const { engine } = servedEngine(k, listing, budget);
        const encoder = new StatsFieldsEncoder(budget);
        const plain = new IpvsEngine({ exec: k, helper: FAKE_HELPER, now: () => 7 });
        const merger = new StatsFieldsMerger();
        const shapes = new Array<number>(24).fill(0);
        try {
          for (const step of steps) {
            for (const [i, j, t, conns] of step.figures) {
              const s = base.services[i]!;
              const d = s.destinations[j];
              k.counters.set(j < 0 || !d ? serviceKeyString(s) : `${serviceKeyString(s)}|${d.address}|${d.port}`, j < 0 || !d ? t : ` ${conns.join(" ")}${t}`);
            }
            for (const [i, sh] of step.reshape) shapes[i] = sh;
            const table: IpvsTable = {
              services: base.services.filter((_, i) => step.present[i]).map((s) => {
                const i = base.services.indexOf(s);
                return { ...s, destinations: s.destinations.filter((_, j) => ((shapes[i]! >> j) & 1) === 0).map((d) => ({ ...d, weight: d.weight + (shapes[i]! >> 4) })) };
              }),
            };
            k.ipvsadm.table = table;
            fs.writeFileSync(listing, k["statsText"]());
            const served = await engine.statsServed(step.full);
            expect(served).not.toBeNull();
            if (step.full) expect(served!.full).toBe(true);
            let last: ReturnType<StatsFieldsMerger["apply"]> | null = null;
            for (const f of encoder.forward(served!)) last = merger.apply(wire(statsFieldsJson(f, 1)));
            expect(last?.kind).toBe("snapshot");
            if (last?.kind === "snapshot") expect(byKey(last.snapshot)).toEqual(byKey(await plain.stats()));
          }
        } finally {
          await engine.close();
        }
      },
    ), { numRuns: 12 });
  });

  it("an idle read answers no figure; one busy service answers its changed rows only (operation count, 1 000 services)", async () => {
    const listing = path.join(dir, "listing-count");
    const k = new FakeNetlinkHelper();
    const { engine } = servedEngine(k, listing);
    try {
      const table = genTable(1000, 10);
      k.ipvsadm.table = table;
      fs.writeFileSync(listing, k["statsText"]());
      const first = await engine.statsServed(false);
      expect([first!.full, first!.services.length, first!.segments.length]).toEqual([true, 1000, 0]);
      const idle = await engine.statsServed(false);
      expect(idle).toMatchObject({ full: false, services: [], removed: [], segments: [] });
      const s = table.services[3]!;
      const d = s.destinations[2]!;
      k.counters.set(`${serviceKeyString(s)}|${d.address}|${d.port}`, " 0 7 0 1 2 3 4 5 6 7 8 9 10");
      fs.writeFileSync(listing, k["statsText"]());
      const busy = await engine.statsServed(false);
      const slot = first!.services.findIndex((x) => serviceKeyString(x.stats.key) === serviceKeyString(s));
      const row = 1 + first!.services[slot]!.stats.destinations.findIndex((x) => x.address === d.address && x.port === d.port);
      expect(busy!.segments.map((x) => new TextDecoder().decode(x.text))).toEqual([`${slot},${row},${0b1111111111010},7,1,2,3,4,5,6,7,8,9,10`]);
      expect(busy!.services).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it("the helper restarted (killed): the next read starts it again and answers a full update", async () => {
    const listing = path.join(dir, "listing-restart");
    const k = new FakeNetlinkHelper();
    const { engine } = servedEngine(k, listing);
    try {
      k.ipvsadm.table = genTable(5, 2);
      fs.writeFileSync(listing, k["statsText"]());
      expect((await engine.statsServed(false))!.full).toBe(true);
      expect((await engine.statsServed(false))!.full).toBe(false);
      process.kill(engine["server"]!.pid!, "SIGKILL");
      await expect.poll(() => engine["server"]!.closed).toBe(true);
      expect((await engine.statsServed(false))!.full).toBe(true);
      // a listing the helper cannot read: a clear error, nothing kept, then a full answer again
      fs.writeFileSync(listing, "S 2 6 garbage\n");
      await expect(engine.statsServed(false)).rejects.toThrow(/serve: listing line 1: a service line without its figures/);
      fs.writeFileSync(listing, k["statsText"]());
      expect((await engine.statsServed(false))!.full).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it("a helper without `serve` (older): told once, then stats-since columns", async () => {
    const k = new FakeNetlinkHelper();
    const fallback: string[] = [];
    const exec: Exec = { run: (argv, stdin) => k.run(argv, stdin), serve: () => startAnswerServer(["sh", "-c", "echo 'lvs-ipvs-nl: usage: lvs-ipvs-nl apply|dump|stats' >&2; exit 2"]) };
    const e = new IpvsEngine({ exec, helper: FAKE_HELPER, statsStateFile: "/run/x", onHelperFallback: (w) => fallback.push(w) });
    expect(await e.statsServed(true)).toBeNull();
    expect(await e.statsServed(true)).toBeNull();
    expect(fallback).toHaveLength(1);
    expect(fallback[0]).toMatch(/sh -c: (exited \(code 2\): lvs-ipvs-nl: usage|not running)/);
  });
});

describe("ServedFieldsReader: hostile answers", () => {
  const whole = "W 0\nS 2 6 10.0.0.1 80 0 wlc - 0 0 255.255.255.255 1 2 3 4 5 6 7 8 9 10\nD 2 10.0.1.1 80 0 1 0 0 0 0 0 1 2 3 1 2 3 4 5 6 7 8 9 10\nW 1\nS 2 6 10.0.0.2 80 0 wlc - 0 0 255.255.255.255 1 2 3 4 5 6 7 8 9 10\n";
  const enc = (s: string) => Buffer.from(s, "latin1");
  const fresh = () => {
    const r = new ServedFieldsReader();
    r.read(enc(`F 5\n${whole}E\n`), 1);
    return r;
  };
  const seg = (t: string, n = t.split(",").length) => `X ${n} ${t.length}\n${t}\n`;

  it("reads a good delta: removed, whole, fields", () => {
    const r = fresh();
    const u = r.read(enc(`D 6\nR 1\n${seg("0,0,8,5,0,1,4098,-3,7")}E\n`), 2);
    expect(u).toMatchObject({ full: false, removed: [1], services: [] });
    expect(new TextDecoder().decode(u.segments[0]!.text)).toBe("0,0,8,5,0,1,4098,-3,7");
    expect(r.token).toBe("6");
  });

  it.each([
    ["no end line (cut short)", `D 6\n${seg("0,0,8,5")}`, /cut short \(no end line\)/],
    ["cut inside a line", `D 6\nX 4 7\n0,0,8,5`, /does not hold/],
    ["a header that is not F|D", `Q 6\nE\n`, /line 1: .* is not "F\|D token"/],
    ["garbage line", `D 6\nhello\nE\n`, /line 2: "hello" is not an R, W, X or E line/],
    ["data after the end", `D 6\nE\nR 0\n`, /line 3: data after the end line/],
    ["count mismatch", `D 6\n${seg("0,0,8,5", 5)}E\n`, /4 numbers where the segment header said 5/],
    ["leading zero", `D 6\n${seg("0,0,8,05")}E\n`, /"05,?" is not an integer/],
    ["-0", `D 6\n${seg("0,0,8,-0")}E\n`, /is not an integer/],
    ["past 2^53", `D 6\n${seg("0,0,8,9007199254740992")}E\n`, /is not an integer of at most 2\^53 - 1/],
    ["a float", `D 6\n${seg("0,0,8,1.5")}E\n`, /not followed by a comma/],
    ["a trailing comma", `D 6\nX 4 8\n0,0,8,5,\nE\n`, /a comma at the end/],
    ["unknown slot", `D 6\n${seg("7,0,8,5")}E\n`, /slot 7 holds no service/],
    ["removed then used", `D 6\nR 0\n${seg("0,0,8,5")}E\n`, /slot 0 holds no service/],
    ["row past the real servers", `D 6\n${seg("0,2,8,5")}E\n`, /row 2 of slot 0 \(a service with 1 real servers\)/],
    ["a connection count on the service row", `D 6\n${seg("0,0,1,5")}E\n`, /mask 1 of slot 0 row 0/],
    ["mask 0", `D 6\n${seg("0,1,0")}E\n`, /mask 0/],
    ["rows out of order", `D 6\n${seg("0,1,8,5,0,0,8,5")}E\n`, /row 0 after row 1/],
    ["slots out of order across segments", `D 6\n${seg("1,0,8,5")}${seg("0,0,8,5")}E\n`, /slot 0 after slot 1/],
    ["a negative slot", `D 6\n${seg("-1,0,8,5")}E\n`, /a negative slot/],
    ["cut inside a row", `D 6\n${seg("0,0,24,5")}E\n`, /cut short inside slot 0 row 0/],
    ["removed in a full answer", `F 6\nR 0\nE\n`, /a removed slot in a full answer/],
    ["fields in a full answer", `F 6\n${seg("0,0,8,5")}E\n`, /fields in a full answer/],
    ["removed an empty slot", `D 6\nR 9\nE\n`, /removed slot 9 holds no service/],
    ["whole service cut short", `D 6\nW 3\n`, /cut short/],
    ["whole service with a bad figure", `D 6\nW 3\nS 2 6 10.0.0.3 80 0 wlc - 0 0 255.255.255.255 1 2 3 4 5 6 7 8 9 -1\nE\n`, /line 3: "-1" is not a count/],
    ["a huge slot number", `D 6\nW 99999999\nS 2 6 10.0.0.3 80 0 wlc - 0 0 255.255.255.255 1 2 3 4 5 6 7 8 9 1\nE\n`, /slot 99999999 is not a slot number/],
  ])("%s: a clear error, the token dropped, nothing kept", (_what, text, error) => {
    const r = fresh();
    expect(() => r.read(enc(text), 2)).toThrow(error);
    expect(r.token).toBeNull();
    // what was known before is intact: slot 0 (1 real server) and slot 1 (none) still hold their services
    expect(r.read(enc(`D 7\n${seg("0,1,1,2,1,0,8,1")}E\n`), 3).segments).toHaveLength(1);
    expect(() => r.read(enc(`D 8\n${seg("1,1,1,2")}E\n`), 4)).toThrow(/row 1 of slot 1/);
  });

  it("a huge garbage answer is refused at its first line, without reading it all as text", () => {
    const r = fresh();
    const big = Buffer.alloc(50 * 1024 * 1024, 0x41);
    expect(() => r.read(big, 2)).toThrow(/line 1: "A{10}/);
  });
});
