import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { genTable } from "../testing/bigTable.ts";
import { serviceKeyOf, serviceKeyString } from "../tableKey.ts";
import type { IpvsService, ServiceStats, StatsSnapshot } from "../model.ts";
import { PROTOCOL_VERSION, parseAgentMessage } from "../protocol/agent.ts";
import { ColumnsFromSnapshots } from "./statsColumns.ts";
import { StatsFieldsEncoder, StatsFieldsMerger, fieldsBody, type StatsFieldsBody, type StatsFieldsFrame } from "./statsFields.ts";
import { statsFieldsJson } from "./statsFieldsJson.ts";

const byKey = (s: StatsSnapshot) => ({ at: s.at, services: new Map(s.services.map((x) => [serviceKeyString(x.key), x])) });

/** Frames over the wire: the agent's JSON bytes (the same text as JSON.stringify), parsed by the control plane's parser. */
function wire(frames: StatsFieldsFrame[]): StatsFieldsBody[] {
  return frames.map((f) => {
    const text = new TextDecoder().decode(statsFieldsJson(f, PROTOCOL_VERSION));
    expect(text).toBe(JSON.stringify({ v: PROTOCOL_VERSION, type: "stats.fields", ...fieldsBody(f) }));
    const parsed = parseAgentMessage(text);
    if (!parsed.ok || parsed.message.type !== "stats.fields") throw new Error(`frame refused: ${parsed.ok ? parsed.message.type : parsed.reason}`);
    const { v: _v, type: _t, ...body } = parsed.message;
    return body;
  });
}

const BIG = 2 ** 53 - 1;
/** a figure: mostly traffic-sized, sometimes near 2^53, sometimes 0 (counters zeroed) */
const figure = fc.oneof(fc.nat({ max: 1_000_000 }), fc.constant(0), fc.integer({ min: BIG - 1000, max: BIG }), fc.nat({ max: BIG }));

/** A snapshot of some of `table`'s services, some real servers dropped or re-weighted, figures from `fig`. */
function snapshotOf(services: IpvsService[], at: number, fig: (i: number, j: number, f: number) => number, shape: (i: number) => number): StatsSnapshot {
  return {
    at,
    services: services.map((s, i): ServiceStats => {
      const v = (j: number, f: number) => fig(i, j, f);
      const dests = s.destinations.filter((_, j) => ((shape(i) >> j) & 1) === 0);
      return {
        key: serviceKeyOf(s),
        counters: { conns: v(-1, 3), inPkts: v(-1, 4), outPkts: v(-1, 5), inBytes: v(-1, 6), outBytes: v(-1, 7) },
        rates: { cps: v(-1, 8), inPps: v(-1, 9), outPps: v(-1, 10), inBps: v(-1, 11), outBps: v(-1, 12) },
        destinations: dests.map((d, j) => ({
          address: d.address, port: d.port, weight: d.weight + ((shape(i) >> 8) & 1),
          activeConns: v(j, 0), inactConns: v(j, 1), persistConns: v(j, 2),
          counters: { conns: v(j, 3), inPkts: v(j, 4), outPkts: v(j, 5), inBytes: v(j, 6), outBytes: v(j, 7) },
          rates: { cps: v(j, 8), inPps: v(j, 9), outPps: v(j, 10), inBps: v(j, 11), outBps: v(j, 12) },
        })),
      };
    }),
  };
}

describe("stats.fields: columns → encoder → frames → merger", () => {
  const table = genTable(40, 4);
  it("the table has IPv6 and fwmark services (the shapes the keys must survive)", () => {
    expect(table.services.some((s) => s.protocol === "fwmark")).toBe(true);
    expect(table.services.some((s) => s.protocol !== "fwmark" && s.family === "inet6")).toBe(true);
  });

  it("full + field deltas == the full snapshot, every read, as figures change (up and down, near 2^53), services come and go, real servers are added, removed and re-weighted (property)", () => {
    fc.assert(fc.property(
      fc.array(fc.record({
        present: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        changes: fc.array(fc.tuple(fc.nat({ max: 39 }), fc.integer({ min: -1, max: 3 }), fc.nat({ max: 12 }), figure), { maxLength: 60 }),
        reshape: fc.array(fc.tuple(fc.nat({ max: 39 }), fc.nat({ max: 0x10f })), { maxLength: 4 }),
        full: fc.boolean(),
      }), { minLength: 1, maxLength: 7 }),
      fc.integer({ min: 8, max: 400 }),
      (steps, budget) => {
        const cols = new ColumnsFromSnapshots();
        const enc = new StatsFieldsEncoder(budget);
        const m = new StatsFieldsMerger();
        const figs = new Map<string, number>();
        const shapes = new Array<number>(40).fill(0);
        let at = 1000;
        for (const step of steps) {
          for (const [i, j, f, x] of step.changes) figs.set(`${i} ${j} ${f}`, j < 0 && f < 3 ? 0 : x);
          for (const [i, sh] of step.reshape) shapes[i] = sh;
          if (step.full) enc.requestFull();
          const idx = table.services.map((_, i) => i).filter((i) => step.present[i]);
          const snap = snapshotOf(idx.map((i) => table.services[i]!), (at += 1000), (i, j, f) => figs.get(`${idx[i]} ${j} ${f}`) ?? 0, (i) => shapes[idx[i]!]!);
          const results = wire(enc.encode(cols.update(snap))).map((f) => m.apply(f));
          expect(results.slice(0, -1).every((r) => r.kind === "pending")).toBe(true);
          const last = results.at(-1)!;
          if (last.kind !== "snapshot") throw new Error(`no snapshot: ${JSON.stringify(last)}`);
          expect(byKey(last.snapshot)).toEqual(byKey(snap));
        }
      },
    ), { numRuns: 150 });
  });

  it("an idle read writes nothing; a busy one only the rows that changed, as differences", () => {
    const cols = new ColumnsFromSnapshots();
    const enc = new StatsFieldsEncoder();
    const fig = (bump: number) => (i: number, j: number, f: number) => (i === 3 && j === 1 && f === 6 ? 5_000_000_000 + bump : 7);
    const first = enc.encode(cols.update(snapshotOf(table.services, 1, fig(0), () => 0)));
    expect(first).toHaveLength(1);
    expect(first[0]!.reset).toBe(true);
    expect(first[0]!.services).toHaveLength(40);
    const idle = enc.encode(cols.update(snapshotOf(table.services, 2, fig(0), () => 0)));
    expect(idle.map(fieldsBody)).toEqual([{ seq: 1, reset: false, more: false, at: 2, services: [], removed: [], fields: [] }]);
    const busy = enc.encode(cols.update(snapshotOf(table.services, 3, fig(1234), () => 0)));
    // slot 3, real server row 2 (j = 1), mask bit 6 (inBytes), +1234
    expect(fieldsBody(busy[0]!).fields).toEqual([3, 2, 1 << 6, 1234]);
    expect(enc.rows).toBe(1);
  });

  it("a figure past 2^53 (a difference would not give it back exactly) sends the service whole", () => {
    const cols = new ColumnsFromSnapshots();
    const enc = new StatsFieldsEncoder();
    const fig = (x: number) => (i: number, j: number, f: number) => (i === 0 && j === 0 && f === 7 ? x : 1);
    enc.encode(cols.update(snapshotOf(table.services.slice(0, 2), 1, fig(1), () => 0)));
    const f = enc.encode(cols.update(snapshotOf(table.services.slice(0, 2), 2, fig(2 ** 60 + 4096), () => 0)));
    expect(fieldsBody(f[0]!).fields).toEqual([]);
    expect(f[0]!.services.map((s) => s.slot)).toEqual([0]);
  });
});

describe("statsFieldsJson: the frame's bytes are JSON.stringify's text", () => {
  it("for any numbers a frame can hold: negative, past 2^31, up to 2^53 (property)", () => {
    const table = genTable(2, 1);
    const stats = snapshotOf(table.services, 1, () => 3, () => 0).services;
    fc.assert(fc.property(
      fc.array(fc.oneof(fc.integer(), fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.constantFrom(0, -0, 2 ** 31, -(2 ** 31), 2 ** 31 - 1)), { maxLength: 300 }),
      fc.boolean(), fc.nat(), (nums, reset, seq) => {
        const f: StatsFieldsFrame = { seq, reset, more: !reset, at: 5, services: reset ? stats.map((x, slot) => ({ slot, stats: x })) : [], removed: reset ? [] : [4, 2], fields: Float64Array.from(nums) };
        expect(new TextDecoder().decode(statsFieldsJson(f, 1))).toBe(JSON.stringify({ v: 1, type: "stats.fields", ...fieldsBody(f) }));
      },
    ));
  });
});

describe("stats.fields: a frame that does not fit is refused whole, the snapshot stays as it was", () => {
  const table = genTable(3, 2);
  const start = () => {
    const cols = new ColumnsFromSnapshots();
    const enc = new StatsFieldsEncoder();
    const m = new StatsFieldsMerger();
    const snap = snapshotOf(table.services, 1, (i, j, f) => 10 * i + j + f + 2, () => 0);
    const r = m.apply(fieldsBody(enc.encode(cols.update(snap))[0]!));
    if (r.kind !== "snapshot") throw new Error("no first snapshot");
    return { m, shown: r.snapshot, copy: structuredClone(r.snapshot) };
  };
  const frame = (fields: number[], extra: Partial<StatsFieldsBody> = {}): StatsFieldsBody => ({ seq: 1, reset: false, more: false, at: 2, services: [], removed: [], fields, ...extra });

  it.each([
    ["an unknown slot", [7, 0, 8, 1], /slot 7 holds no service/],
    ["a row past the real servers", [0, 3, 8, 1], /row 3 of slot 0 \(a service with 2 real servers\)/],
    ["a connection count on the service row", [0, 0, 1, 1], /mask 1 of slot 0 row 0/],
    ["a mask naming no field", [0, 1, 0], /mask 0/],
    ["a figure going negative", [0, 1, 1 << 4, -1000], /inPkts of slot 0 row 1 would become -/],
    ["rows out of order", [0, 2, 8, 1, 0, 1, 8, 1], /out of order/],
    ["a row cut short", [0, 1, 0b11000, 1], /cut short/],
    ["a valid row, then a bad one", [0, 1, 8, 1, 9, 0, 8, 1], /slot 9 holds no service/],
    ["a removed slot that is not there", [], /removed slot 5 holds no service/, { removed: [5] }],
    ["fields on a slot removed in the same frame", [1, 0, 8, 1], /slot 1 holds no service/, { removed: [1] }],
  ] as Array<[string, number[], RegExp, Partial<StatsFieldsBody>?]>)("%s", (_what, fields, reason, extra) => {
    const { m, shown, copy } = start();
    const r = m.apply(frame([...fields], extra));
    expect(r).toEqual({ kind: "out-of-sync", ask: true, reason: expect.stringMatching(reason) });
    expect(shown).toEqual(copy);
    // nothing until a full update, then exactly what it says
    expect(m.apply(frame([0, 1, 8, 1], { seq: 2 })).kind).toBe("out-of-sync");
  });

  it("a valid frame leaves the snapshots already handed out as they were (copy on write)", () => {
    const { m, shown, copy } = start();
    const r = m.apply(frame([0, 1, 8 | 16, 5, 6, 2, 0, 1 << 12, 3]));
    expect(r.kind).toBe("snapshot");
    expect(shown).toEqual(copy);
    if (r.kind !== "snapshot") return;
    const d = r.snapshot.services[0]!.destinations[0]!;
    expect([d.counters.conns, d.counters.inPkts]).toEqual([copy.services[0]!.destinations[0]!.counters.conns + 5, copy.services[0]!.destinations[0]!.counters.inPkts + 6]);
    expect(r.snapshot.services[2]!.rates.outBps).toBe(copy.services[2]!.rates.outBps + 3);
  });

  it("the wire refuses what is not a number array, naming the place", () => {
    const r = parseAgentMessage(JSON.stringify({ v: PROTOCOL_VERSION, type: "stats.fields", seq: 1, reset: false, more: false, at: 5, services: [], removed: [], fields: [0, 1, 8, 1.5] }));
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/^message type "stats.fields": fields\.3/) });
    const s = parseAgentMessage(JSON.stringify({ v: PROTOCOL_VERSION, type: "stats.fields", seq: 1, reset: false, more: false, at: 5, services: [{ slot: -1, stats: {} }], removed: [], fields: [] }));
    expect(s.ok).toBe(false);
  });
});

describe("StatsFieldsEncoder.forward: updates a helper encoded itself (ServedFields)", () => {
  const table = genTable(6, 3);
  const stats = snapshotOf(table.services, 1, (i, j, f) => i + j + f + 5, () => 0).services;
  const text = (s: string) => new TextEncoder().encode(s);

  it("frames: removed in the first, whole services and each segment within the budget, seq/reset/more as encode's; the wire carries the text as numbers", () => {
    const enc = new StatsFieldsEncoder(12); // a real server whole counts as 1 + 3 × ceil(12 / DELTA_FRAME_DESTINATIONS)
    const m = new StatsFieldsMerger();
    const full = enc.forward({ full: true, at: 1, removed: [], services: stats.map((x, slot) => ({ slot, stats: x })), segments: [] });
    expect(full.length).toBeGreaterThan(1);
    expect(full.map((f) => [f.reset, f.more])).toEqual(full.map((_, i) => [i === 0, i < full.length - 1]));
    let r = null;
    for (const f of wire(full)) r = m.apply(f);
    expect(r).toMatchObject({ kind: "snapshot", snapshot: { at: 1, services: stats } });
    const delta = enc.forward({ full: false, at: 2, removed: [5], services: [], segments: [{ count: 8, text: text("0,0,8,1,0,1,1,-2") }, { count: 4, text: text("3,2,4096,7") }] });
    expect(delta.map((f) => [f.seq, f.reset, f.more, f.removed])).toEqual([[full.length, false, true, [5]], [full.length + 1, false, false, []]]);
    for (const f of wire(delta)) r = m.apply(f);
    if (r?.kind !== "snapshot") throw new Error("no snapshot");
    expect(r.snapshot.services).toHaveLength(5);
    expect(r.snapshot.services[0]!.counters.conns).toBe(stats[0]!.counters.conns + 1);
    expect(r.snapshot.services[0]!.destinations[0]!.activeConns).toBe(stats[0]!.destinations[0]!.activeConns - 2);
    expect(r.snapshot.services[3]!.destinations[1]!.rates.outBps).toBe(stats[3]!.destinations[1]!.rates.outBps + 7);
    // an idle update is one empty frame, as encode gives
    expect(enc.forward({ full: false, at: 3, removed: [], services: [], segments: [] }).map(fieldsBody)).toEqual([{ seq: full.length + 2, reset: false, more: false, at: 3, services: [], removed: [], fields: [] }]);
  });

  it("a full update due (after a lost frame) refuses an answer of differences; after forwarding, encode() from columns starts with a full update", () => {
    const enc = new StatsFieldsEncoder();
    enc.forward({ full: true, at: 1, removed: [], services: [], segments: [] });
    enc.reset();
    expect(() => enc.forward({ full: false, at: 2, removed: [], services: [], segments: [] })).toThrow(/a full update was due/);
    enc.forward({ full: true, at: 3, removed: [], services: [], segments: [] });
    const cols = new ColumnsFromSnapshots();
    expect(enc.encode(cols.update({ at: 4, services: stats }))[0]!.reset).toBe(true);
  });
});
