import { describe, expect, it } from "vitest";
import { bucketFor, counterDelta, downsample, MinuteRoller, MINUTE_MS, rollupRates, type Sample } from "./rollup.ts";
import { RingBuffer } from "./ringBuffer.ts";

const c = (conns: number, bytes = conns * 100) => ({ conns, inPkts: conns * 2, outPkts: conns * 2, inBytes: bytes, outBytes: bytes * 10 });
const s = (at: number, conns: number, active = 0, inact = 0): Sample => ({ at, counters: c(conns), activeConns: active, inactConns: inact });

describe("counterDelta", () => {
  it("subtracts, and treats a decrease as a reset", () => {
    expect(counterDelta(c(10), c(15)).conns).toBe(5);
    expect(counterDelta(c(10), c(3)).conns).toBe(3);
    expect(counterDelta(null, c(7)).conns).toBe(0);
  });
});

describe("MinuteRoller", () => {
  it("rolls 1 Hz samples into minute buckets with increases, peaks and last values", () => {
    const r = new MinuteRoller();
    const out = [];
    // 120 samples at 1 Hz, 2 new connections per second
    for (let i = 0; i < 120; i++) out.push(...r.add(s(i * 1000, 100 + 2 * i, i % 7, 3)));
    out.push(...r.flush());
    expect(out.map((x) => x.bucket)).toEqual([0, MINUTE_MS]);
    expect(out[0]!.delta.conns).toBe(118); // first sample is the baseline
    expect(out[1]!.delta.conns).toBe(120);
    expect(out[0]!.samples).toBe(60);
    expect(out[0]!.activeMax).toBe(6);
    expect(out[1]!.inactLast).toBe(3);
    expect(rollupRates(out[1]!).cps).toBe(2);
  });

  it("skips empty minutes and ignores late samples", () => {
    const r = new MinuteRoller();
    r.add(s(0, 0));
    expect(r.add(s(5 * MINUTE_MS, 10)).map((x) => x.bucket)).toEqual([0]);
    expect(r.add(s(1000, 11))).toEqual([]);
    expect(r.peek()!.delta.conns).toBe(10);
  });
});

describe("downsample", () => {
  it("merges minutes into coarser buckets", () => {
    const r = new MinuteRoller();
    const rows = [];
    for (let i = 0; i <= 30 * 60; i += 10) rows.push(...r.add(s(i * 1000, i)));
    rows.push(...r.flush());
    const q = downsample(rows, 15 * MINUTE_MS);
    expect(q).toHaveLength(3);
    expect(q.reduce((a, x) => a + x.delta.conns, 0)).toBe(rows.reduce((a, x) => a + x.delta.conns, 0));
    expect(q[0]!.samples).toBe(90);
  });

  it("bucketFor picks a step giving at most maxPoints", () => {
    expect(bucketFor(60 * MINUTE_MS)).toBe(MINUTE_MS);
    expect(bucketFor(24 * 60 * MINUTE_MS)).toBe(5 * MINUTE_MS);
    expect(bucketFor(7 * 24 * 60 * MINUTE_MS, 200)).toBe(60 * MINUTE_MS);
  });
});

describe("RingBuffer", () => {
  it("keeps the newest items oldest-first", () => {
    const b = new RingBuffer<number>(3);
    for (let i = 1; i <= 5; i++) b.push(i);
    expect(b.toArray()).toEqual([3, 4, 5]);
    expect(b.last()).toBe(5);
    expect(b.size).toBe(3);
    expect(b.filter((x) => x > 3)).toEqual([4, 5]);
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});
