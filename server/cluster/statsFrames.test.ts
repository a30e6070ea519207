import { describe, expect, it } from "vitest";
import type { StatsSnapshot } from "../../lvs/model.ts";
import { CHUNK_CHARS, encodeFrame, FrameAssembler } from "./statsFrames.ts";

/** a snapshot shaped like real fleets: IPv4, IPv6 and fwmark services, many real servers */
function snapshot(services: number, dests: number, at = 1_700_000_000_000): StatsSnapshot {
  const counters = (n: number) => ({ conns: n, inPkts: n * 7, outPkts: n * 5, inBytes: n * 900, outBytes: n * 1400 });
  const rates = (n: number) => ({ cps: n % 97, inPps: n % 1000, outPps: n % 800, inBps: n * 3, outBps: n * 5 });
  return {
    at,
    services: Array.from({ length: services }, (_, s) => ({
      key: s % 3 === 0 ? { protocol: "tcp" as const, family: "inet" as const, address: `10.${s >> 8}.${s & 255}.1`, port: 80 }
        : s % 3 === 1 ? { protocol: "udp" as const, family: "inet6" as const, address: `2001:db8::${s.toString(16)}`, port: 53 }
        : { protocol: "fwmark" as const, family: "inet" as const, fwmark: s },
      counters: counters(s * 1000 + 17), rates: rates(s * 31),
      destinations: Array.from({ length: dests }, (_, d) => ({
        address: s % 3 === 1 ? `2001:db8:1::${d + 1}` : `192.168.${s & 255}.${d + 1}`, port: s % 3 === 2 ? 0 : 8080, weight: d, activeConns: d * 3, inactConns: d, persistConns: 0,
        counters: counters(s * 100 + d), rates: rates(s + d),
      })),
    })),
  };
}

describe("stats frames between instances", () => {
  it("round-trips a big snapshot through chunks that each fit a NOTIFY payload", () => {
    const snap = snapshot(100, 10);
    const chunks = encodeFrame("inst-a", "dir-1", 7, snap);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(Buffer.byteLength(c)).toBeLessThan(8000);
    expect(chunks.every((c) => c.length <= CHUNK_CHARS + 100)).toBe(true);
    const a = new FrameAssembler();
    const out = chunks.map((c) => a.push(c));
    expect(out.slice(0, -1).every((x) => x === null)).toBe(true);
    expect(out.at(-1)).toEqual({ instanceId: "inst-a", directorId: "dir-1", seq: 7, snapshot: snap });
    expect(a.lost).toBe(0);
  });

  it("counts a frame with a missing chunk as lost and still delivers the next one whole", () => {
    const lostWhy: string[] = [];
    const a = new FrameAssembler((_d, _n, why) => lostWhy.push(why));
    const first = encodeFrame("i", "d", 1, snapshot(60, 10), 2000);
    const second = encodeFrame("i", "d", 2, snapshot(60, 10, 2), 2000);
    expect(first.length).toBeGreaterThan(2);
    for (const c of first.slice(0, -1)) expect(a.push(c)).toBeNull(); // last chunk dropped
    const done = second.map((c) => a.push(c)).at(-1);
    expect(done?.seq).toBe(2);
    expect(a.lost).toBe(1);
    expect(lostWhy[0]).toMatch(/frame 1 incomplete/);
  });

  it("counts sequence gaps from one sender, but not a new sender taking the agent over", () => {
    const a = new FrameAssembler();
    const small = snapshot(1, 1);
    for (const seq of [1, 2, 5]) for (const c of encodeFrame("i", "d", seq, small)) a.push(c);
    expect(a.lost).toBe(2);
    for (const c of encodeFrame("j", "d", 1, small)) a.push(c);
    expect(a.lost).toBe(2);
    expect(a.frames).toBe(4);
  });

  it("refuses malformed and hostile chunks without throwing", () => {
    const a = new FrameAssembler();
    for (const bad of ["", "x", "i d 1 0 1 ***", "i d 1 5 2 AAAA", "i d 1 0 0 AAAA", "i\nd 1 0 1 AAAA", "i d 1 0 1 AAAA", `${"x".repeat(65)} d 1 0 1 AA`]) {
      expect(a.push(bad)).toBeNull();
    }
    expect(a.lost).toBe(8); // each one counted ("i d 1 0 1 AAAA" is well-formed but does not inflate to a snapshot)
    expect(a.frames).toBe(0);
  });
});
