import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { PROTOCOL_VERSION, parseAgentMessage, statsDeltaSchema, statsSchema } from "../protocol/agent.ts";
import { isCleanStatsDeltaFrame, isCleanStatsFrame } from "./statsFrameCheck.ts";

const count = fc.oneof(fc.nat(), fc.constantFrom(0, 2 ** 53 - 1));
const five = <K extends string>(keys: readonly K[]) => fc.record(Object.fromEntries(keys.map((k) => [k, count])) as Record<K, typeof count>);
const counters = five(["conns", "inPkts", "outPkts", "inBytes", "outBytes"] as const);
const rates = five(["cps", "inPps", "outPps", "inBps", "outBps"] as const);
const address = fc.oneof(fc.ipV4(), fc.constantFrom("::1", "2001:db8::5", "fe80::1"));
const port = fc.integer({ min: 0, max: 65535 });
const key = fc.oneof(
  fc.record({ protocol: fc.constantFrom("tcp", "udp", "sctp"), family: fc.constantFrom("inet", "inet6"), address, port }),
  fc.record({ protocol: fc.constant("fwmark"), family: fc.constantFrom("inet", "inet6"), fwmark: fc.integer({ min: 1, max: 4294967295 }) }),
);
const dest = fc.record({ address, port, weight: count, activeConns: count, inactConns: count, persistConns: count, counters, rates });
const frame = fc.record({
  v: fc.constant(PROTOCOL_VERSION), type: fc.constant("stats"),
  snapshot: fc.record({ at: count, services: fc.array(fc.record({ key, counters, rates, destinations: fc.array(dest, { maxLength: 4 }) }), { maxLength: 3 }) }),
});
const deltaFrame = fc.record({
  v: fc.constant(PROTOCOL_VERSION), type: fc.constant("stats.delta"), seq: count, reset: fc.boolean(), more: fc.boolean(), at: count,
  services: fc.array(fc.record({ key, counters, rates, destinations: fc.array(dest, { maxLength: 4 }) }), { maxLength: 3 }),
  removed: fc.array(key, { maxLength: 3 }),
});

/** one change somewhere in the frame: a bad value, a missing key or an extra key */
const badValues: unknown[] = [-1, 1.5, "7", null, 2 ** 53, 65536, "", "999.1.1.1", "not-an-ip", [], {}, 4294967296, 0];
function mutate(root: unknown, pathPick: number, valuePick: number, mode: number): unknown {
  const copy = structuredClone(root) as Record<string, unknown>;
  const holders: Array<[Record<string, unknown>, string]> = [];
  const walk = (o: unknown) => {
    if (Array.isArray(o)) o.forEach(walk);
    else if (o && typeof o === "object") {
      for (const k of Object.keys(o)) {
        holders.push([o as Record<string, unknown>, k]);
        walk((o as Record<string, unknown>)[k]);
      }
    }
  };
  walk(copy);
  const [h, k] = holders[pathPick % holders.length]!;
  if (mode === 0) h[k] = badValues[valuePick % badValues.length];
  else if (mode === 1) delete h[k];
  else h["extra"] = 1;
  return copy;
}

describe("isCleanStatsFrame", () => {
  it("accepts exactly the frames zod accepts unchanged (valid frames)", () => {
    fc.assert(fc.property(frame, (f) => {
      expect(statsSchema.safeParse(f).success).toBe(true);
      expect(isCleanStatsFrame(f, PROTOCOL_VERSION)).toBe(true);
    }), { numRuns: 300 });
  });

  it("never accepts what zod rejects or would change (mutated frames)", () => {
    fc.assert(fc.property(frame, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 2 }), (f, p, v, mode) => {
      const m = mutate(f, p, v, mode);
      const z = statsSchema.safeParse(m);
      const unchanged = z.success && JSON.stringify(z.data) === JSON.stringify(m);
      if (isCleanStatsFrame(m, PROTOCOL_VERSION)) expect(unchanged).toBe(true);
      // and the parser's answer equals zod's in every case
      const parsed = parseAgentMessage(JSON.stringify(m));
      expect(parsed.ok).toBe(z.success);
    }), { numRuns: 1000 });
  });

  it("a bad frame still gets zod's message naming the field", () => {
    const r = parseAgentMessage(JSON.stringify({ v: PROTOCOL_VERSION, type: "stats", snapshot: { at: 1, services: [{ key: { protocol: "tcp", family: "inet", address: "10.0.0.1", port: 80 }, counters: { conns: 1, inPkts: 1, outPkts: 1, inBytes: 1, outBytes: 1 }, rates: { cps: 0.5, inPps: 0, outPps: 0, inBps: 0, outBps: 0 }, destinations: [] }] } }));
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/snapshot\.services\.0\.rates\.cps: .*int/) });
  });
});

describe("isCleanStatsDeltaFrame (feature stats.delta)", () => {
  it("accepts exactly the frames zod accepts unchanged", () => {
    fc.assert(fc.property(deltaFrame, (f) => {
      expect(statsDeltaSchema.safeParse(f).success).toBe(true);
      expect(isCleanStatsDeltaFrame(f, PROTOCOL_VERSION)).toBe(true);
      expect(parseAgentMessage(JSON.stringify(f))).toEqual({ ok: true, message: f });
    }), { numRuns: 300 });
  });

  it("never accepts what zod rejects or would change, and the parser agrees with zod", () => {
    fc.assert(fc.property(deltaFrame, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 2 }), (f, p, v, mode) => {
      const m = mutate(f, p, v, mode);
      const z = statsDeltaSchema.safeParse(m);
      const unchanged = z.success && JSON.stringify(z.data) === JSON.stringify(m);
      if (isCleanStatsDeltaFrame(m, PROTOCOL_VERSION)) expect(unchanged).toBe(true);
      expect(parseAgentMessage(JSON.stringify(m)).ok).toBe(z.success);
    }), { numRuns: 1000 });
  });

  it("names the field of a bad delta frame", () => {
    const r = parseAgentMessage(JSON.stringify({ v: PROTOCOL_VERSION, type: "stats.delta", seq: 1, reset: false, more: false, at: 5, services: [], removed: [{ protocol: "tcp", family: "inet", address: "10.0.0.300", port: 80 }] }));
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/^message type "stats.delta": removed\.0/) });
  });
});
