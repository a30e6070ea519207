import { describe, expect, it } from "vitest";
import type { StatsSnapshot } from "../../lvs/model.ts";
import { MINUTE_MS } from "../../lvs/stats/rollup.ts";
import { StatsStore } from "./statsStore.ts";

const c = (n: number) => ({ conns: n, inPkts: 2 * n, outPkts: 2 * n, inBytes: 100 * n, outBytes: 1000 * n });
const r = (n: number) => ({ cps: n, inPps: 2 * n, outPps: 2 * n, inBps: 100 * n, outBps: 1000 * n });
const dest = (address: string, conns: number, active: number) => ({ address, port: 80, weight: 1, activeConns: active, inactConns: 1, persistConns: 0, counters: c(conns), rates: r(conns / 10) });
function snap(at: number, a: number, b: number, withB = true): StatsSnapshot {
  const dests = [dest("10.1.0.1", a, 3), ...(withB ? [dest("10.1.0.2", b, 4)] : [])];
  return { at, services: [{ key: { protocol: "tcp", family: "inet", address: "10.0.0.1", port: 80 }, counters: c(a + (withB ? b : 0)), rates: r(1), destinations: dests }] };
}

describe("StatsStore", () => {
  it("reports only the services and destinations that changed, and removed destinations", () => {
    const s = new StatsStore();
    const seen: number[] = [];
    s.onUpdate((u) => seen.push(u.changed.length));
    const first = s.record("d1", snap(1000, 10, 20));
    expect(first.changed[0]!.destinations).toHaveLength(2);
    const same = s.record("d1", snap(2000, 10, 20));
    expect(same.changed).toEqual([]);
    const one = s.record("d1", snap(3000, 10, 25));
    expect(one.changed[0]!.destinations.map((d) => d.address)).toEqual(["10.1.0.2"]);
    const gone = s.record("d1", snap(4000, 10, 25, false));
    expect(gone.changed[0]!.removed).toEqual(["10.1.0.2|80"]);
    expect(seen).toEqual([1, 0, 1, 1]);
    expect(s.latest("d1")!.at).toBe(4000);
  });

  it("keeps 1 s points per series (service total sums ActiveConn) and rolls minutes", () => {
    const s = new StatsStore({ ringCapacity: 100 });
    for (let i = 0; i <= 120; i++) s.record("d1", snap(i * 1000, 10 * i, 5 * i));
    const key = "tcp|10.0.0.1|80";
    expect(s.points("d1", key, "", 0, 1e9, 3).map((p) => p.activeConns)).toEqual([7, 7, 7]);
    expect(s.points("d1", key, "10.1.0.2|80", 119_000, 121_000).map((p) => p.cps)).toEqual([59.5, 60]);
    expect(s.oldest("d1", key, "")).toBe(21_000);
    const rows = s.takeRollups();
    // two minutes completed for 3 series (total + 2 destinations)
    expect(rows).toHaveLength(6);
    const total0 = rows.find((x) => x.destKey === "" && x.rollup.bucket === 0)!;
    expect(total0.rollup.delta.conns).toBe(59 * 15); // 60 samples, the first is the baseline
    const total1 = rows.find((x) => x.destKey === "" && x.rollup.bucket === MINUTE_MS)!;
    expect(total1.rollup.delta.conns).toBe(60 * 15);
    expect(s.current("d1", key, "")!.bucket).toBe(2 * MINUTE_MS);
    expect(s.takeRollups()).toEqual([]);
  });

  it("closeDirector writes out the buckets in progress and forgets the latest snapshot", () => {
    const s = new StatsStore();
    for (let i = 0; i < 10; i++) s.record("d1", snap(i * 1000, i, i));
    s.closeDirector("d1");
    const rows = s.takeRollups();
    expect(rows).toHaveLength(3);
    expect(rows.find((x) => x.destKey === "")!.rollup.delta.conns).toBe(18);
    expect(s.latest("d1")).toBeNull();
    // rings survive for history; a reconnect starts a new baseline
    expect(s.points("d1", "tcp|10.0.0.1|80", "", 0, 1e9)).toHaveLength(10);
    s.record("d1", snap(20_000, 100, 100));
    expect(s.current("d1", "tcp|10.0.0.1|80", "")!.delta.conns).toBe(0);
  });
});
