import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { genTable } from "../testing/bigTable.ts";
import { serviceKeyString } from "../tableKey.ts";
import type { IpvsTable, ServiceStats, StatsSnapshot } from "../model.ts";
import { PROTOCOL_VERSION, parseAgentMessage } from "../protocol/agent.ts";
import { StatsDeltaEncoder, StatsDeltaMerger, type MergeResult, type StatsDeltaBody } from "./statsDelta.ts";

/** A snapshot of `table` whose figures come from `f(service index, destination index or -1)`. */
function snapshotOf(table: IpvsTable, at: number, f: (i: number, j: number) => number): StatsSnapshot {
  const c = (n: number) => ({ conns: n, inPkts: 2 * n, outPkts: 3 * n, inBytes: 100 * n, outBytes: 200 * n });
  const r = (n: number) => ({ cps: n % 7, inPps: n % 11, outPps: n % 13, inBps: n % 17, outBps: n % 19 });
  return {
    at,
    services: table.services.map((s, i) => ({
      key: s.protocol === "fwmark" ? { protocol: "fwmark", family: s.family, fwmark: s.fwmark } : { protocol: s.protocol, family: s.family, address: s.address, port: s.port },
      counters: c(f(i, -1)), rates: r(f(i, -1)),
      destinations: s.destinations.map((d, j) => ({ address: d.address, port: d.port, weight: d.weight, activeConns: f(i, j) % 5, inactConns: f(i, j) % 3, persistConns: 0, counters: c(f(i, j)), rates: r(f(i, j)) })),
    })),
  };
}

/** What a full frame would have said, in a form that ignores order. */
const byKey = (s: StatsSnapshot) => ({ at: s.at, services: new Map(s.services.map((x) => [serviceKeyString(x.key), x])) });

/** Frames over the wire: JSON text, parsed by the control plane's parser. */
function wire(frames: StatsDeltaBody[]): StatsDeltaBody[] {
  return frames.map((f) => {
    const parsed = parseAgentMessage(JSON.stringify({ v: PROTOCOL_VERSION, type: "stats.delta", ...f }));
    if (!parsed.ok || parsed.message.type !== "stats.delta") throw new Error(`frame refused: ${parsed.ok ? parsed.message.type : parsed.reason}`);
    const { v: _v, type: _t, ...body } = parsed.message;
    return body;
  });
}

function merge(m: StatsDeltaMerger, frames: StatsDeltaBody[]): MergeResult[] {
  return frames.map((f) => m.apply(f));
}

describe("stats.delta: encoder → frames → merger", () => {
  it("full + deltas == the full snapshot, every second, as services change, appear and go (property)", () => {
    const table = genTable(60, 3);
    fc.assert(fc.property(
      fc.array(fc.record({ present: fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }), busy: fc.array(fc.nat({ max: 59 }), { maxLength: 10 }), full: fc.boolean() }), { minLength: 1, maxLength: 8 }),
      (steps) => {
        const enc = new StatsDeltaEncoder(25);
        const m = new StatsDeltaMerger();
        const counts = new Array<number>(60).fill(1);
        let at = 1000;
        for (const step of steps) {
          for (const i of step.busy) counts[i]! += 1;
          if (step.full) enc.requestFull();
          const idx = table.services.map((_, i) => i).filter((i) => step.present[i]);
          const present = { services: idx.map((i) => table.services[i]!) };
          const snap = snapshotOf(present, (at += 1000), (i, j) => counts[idx[i]!]! * 10 + j + 1);
          const results = merge(m, wire(enc.encode(snap)));
          expect(results.slice(0, -1).every((r) => r.kind === "pending")).toBe(true);
          const last = results.at(-1)!;
          expect(last.kind).toBe("snapshot");
          if (last.kind === "snapshot") expect(byKey(last.snapshot)).toEqual(byKey(snap));
        }
      },
    ), { numRuns: 60 });
  });

  it("an idle second sends nothing but the frame header; the service objects the netlink reader reuses cost no comparison", () => {
    const table = genTable(2000, 10);
    const enc = new StatsDeltaEncoder();
    const m = new StatsDeltaMerger();
    const first = snapshotOf(table, 1, (i, j) => i + j + 2);
    const full = enc.encode(first);
    expect(full[0]!.reset).toBe(true);
    expect(full.reduce((n, f) => n + f.services.length, 0)).toBe(2000);
    merge(m, full);
    // the same objects again (what NetlinkStatsReader hands back for unchanged blocks)
    const idle = enc.encode({ at: 2, services: first.services });
    expect(idle).toEqual([{ seq: full.length, reset: false, more: false, at: 2, services: [], removed: [] }]);
    expect(enc.compared).toBe(0);
    // new objects with the same figures (ipvsadm, userspace engine): compared, still nothing sent
    const same = enc.encode(snapshotOf(table, 3, (i, j) => i + j + 2));
    expect(same[0]!.services).toEqual([]);
    expect(enc.compared).toBe(2000);
    // 1 % busy: exactly those 20 services travel
    const busy = new Set(Array.from({ length: 20 }, (_, k) => k * 100 + 7));
    const next = snapshotOf(table, 4, (i, j) => i + j + 2 + (busy.has(i) ? 1 : 0));
    const delta = enc.encode(next);
    expect(delta).toHaveLength(1);
    expect(delta[0]!.services.map((s) => serviceKeyString(s.key)).sort()).toEqual([...busy].map((i) => serviceKeyString(next.services[i]!.key)).sort());
    const merged = merge(m, [...wire(idle), ...wire(same), ...wire(delta)]).at(-1)!;
    expect(merged.kind === "snapshot" && byKey(merged.snapshot)).toEqual(byKey(next));
    // a full update keeps the agent's order exactly
    enc.requestFull();
    const again = merge(m, wire(enc.encode(next))).at(-1)!;
    expect(again.kind === "snapshot" && again.snapshot).toEqual(next);
  });

  it("splits a big update so no frame carries more than the limit, and shows nothing until the last part", () => {
    const table = genTable(500, 10);
    const enc = new StatsDeltaEncoder(1000);
    const frames = enc.encode(snapshotOf(table, 9, (i) => i + 1));
    expect(frames.length).toBe(Math.ceil((500 * 11) / 990));
    for (const f of frames) expect(f.services.reduce((n, s) => n + 1 + s.destinations.length, 0)).toBeLessThanOrEqual(1000);
    expect(frames.map((f) => [f.seq, f.reset, f.more])).toEqual(frames.map((_, k) => [k, k === 0, k < frames.length - 1]));
    const m = new StatsDeltaMerger();
    const results = merge(m, wire(frames));
    expect(results.filter((r) => r.kind === "snapshot")).toHaveLength(1);
    expect(results.at(-1)).toEqual({ kind: "snapshot", snapshot: snapshotOf(table, 9, (i) => i + 1) });
  });

  it("a lost frame puts the merger out of sync: nothing is shown, it asks for a full update (again after a while) and recovers on the reset", () => {
    const table = genTable(50, 2);
    const enc = new StatsDeltaEncoder();
    const m = new StatsDeltaMerger();
    let n = 0;
    const tick = () => {
      n++;
      return enc.encode(snapshotOf(table, n * 1000, (i, j) => (i === n % 50 ? n : 1) + j));
    };
    merge(m, tick());
    tick(); // lost (the hub dropped it under backlog)
    const after = merge(m, tick());
    expect(after).toEqual([{ kind: "out-of-sync", ask: true, reason: expect.stringMatching(/frame 2 where 1 was due/) }]);
    const asks: boolean[] = [];
    for (let k = 0; k < 31; k++) {
      const r = merge(m, tick())[0]!;
      expect(r.kind).toBe("out-of-sync");
      if (r.kind === "out-of-sync") asks.push(r.ask);
    }
    // asked once when it noticed, then once more 30 frames later
    expect(asks.filter(Boolean)).toHaveLength(1);
    enc.requestFull();
    const snap = snapshotOf(table, 99_000, (i) => i + 5);
    expect(merge(m, enc.encode(snap))).toEqual([{ kind: "snapshot", snapshot: snap }]);
    // and a merger that saw no full update yet (a frame from before a reconnect) is out of sync too
    expect(new StatsDeltaMerger().apply({ seq: 4, reset: false, more: false, at: 1, services: [], removed: [] })).toMatchObject({ kind: "out-of-sync", ask: true });
  });

  it("a reconnect (reset) starts again from seq 0 with a full update", () => {
    const table = genTable(10, 2);
    const enc = new StatsDeltaEncoder();
    enc.encode(snapshotOf(table, 1, () => 1));
    enc.encode(snapshotOf(table, 2, () => 2));
    enc.reset();
    const frames = enc.encode(snapshotOf(table, 3, () => 2));
    expect(frames[0]).toMatchObject({ seq: 0, reset: true });
    expect(frames[0]!.services).toHaveLength(10);
    const s: ServiceStats[] = frames[0]!.services;
    expect(s[0]!.counters.conns).toBe(2);
  });
});
