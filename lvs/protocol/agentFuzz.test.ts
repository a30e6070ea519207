/**
 * Fuzzing of the agent protocol decoders, both sides (issue 12 standing defence): whatever bytes a
 * hostile or broken peer sends, parseAgentMessage (the console's side), parseServerMessage (the
 * agent's side) and the peek helpers never throw and never accept garbage; a refusal always says
 * why in the protocol's one shape ("frame is not JSON", "protocol version N…", or
 * `message type "T": field: rule`). Inputs: arbitrary text, arbitrary JSON, and valid frames with one
 * field replaced by anything (wrong types, control characters, huge numbers, nesting).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { frameVersion, parseAgentMessage, parseServerMessage, peekError, peekHello, PROTOCOL_VERSION } from "./agent.ts";

const REASON = /^(frame is not JSON|protocol version -?[\d.e+-]+, this side speaks \d+: .+|message type ".{0,40}": [^\n]*: .+)$/s;

const valid = {
  agent: [
    { v: PROTOCOL_VERSION, type: "heartbeat", at: 5, appliedRevision: 3 },
    { v: PROTOCOL_VERSION, type: "hello", hostname: "lb1", agentVersion: "0.1.0", engine: "userspace", appliedRevision: null, table: { services: [] }, execChecks: ["check_dns"] },
    { v: PROTOCOL_VERSION, type: "stats", snapshot: { at: 1, services: [] } },
    { v: PROTOCOL_VERSION, type: "error", code: "bad", message: "x" },
  ],
  server: [
    { v: PROTOCOL_VERSION, type: "welcome", directorId: "d", directorName: "d", serverTime: 1, heartbeatMs: 1000 },
    { v: PROTOCOL_VERSION, type: "desired", revision: 2, table: { services: [] }, health: { targets: [], sorryServers: [] }, options: { statsIntervalMs: 1000 } },
    { v: PROTOCOL_VERSION, type: "heartbeat", at: 5, appliedRevision: null },
  ],
};

const hostileValue = fc.oneof(
  fc.anything({ maxDepth: 4 }),
  fc.string({ unit: "binary", maxLength: 64 }),
  fc.constantFrom("\u0000", "\n}\n{", "../../etc/passwd", "x;reboot", "-C", 1e308, -1, 2 ** 53, Number.NaN, null, [], {}, "__proto__"),
  fc.integer({ min: 1, max: 60 }).map((d) => JSON.parse(`${"[".repeat(d)}${"]".repeat(d)}`) as unknown),
);

/** a valid frame with one field (or one nested field of `table`) replaced by a hostile value */
const mutated = (frames: object[]) =>
  fc.tuple(fc.constantFrom(...frames), fc.nat(), hostileValue).map(([frame, i, value]) => {
    const copy = structuredClone(frame) as Record<string, unknown>;
    const keys = Object.keys(copy);
    copy[keys[i % keys.length]!] = value;
    return JSON.stringify(copy);
  });

function checkDecoder(decode: (text: string) => { ok: boolean; reason?: string }, text: string): void {
  let r: { ok: boolean; reason?: string };
  expect(() => (r = decode(text))).not.toThrow();
  if (!r!.ok) expect(r!.reason).toMatch(REASON);
  for (const peek of [frameVersion, peekHello, peekError]) expect(() => peek(text)).not.toThrow();
}

describe("agent protocol decoders under fuzzing", () => {
  it("arbitrary text and JSON: no throw; refusals say why", () => {
    const text = fc.oneof(fc.string({ unit: "binary", maxLength: 300 }), fc.json({ maxDepth: 5 }), fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify({ v: PROTOCOL_VERSION, type: "hello", ...(typeof v === "object" && v && !Array.isArray(v) ? v : { x: v }) })));
    fc.assert(fc.property(text, (t) => {
      checkDecoder(parseAgentMessage, t);
      checkDecoder(parseServerMessage, t);
    }), { numRuns: 600 });
  });

  it("valid frames with one field replaced by anything: refused with the field named, or still a valid message", () => {
    fc.assert(fc.property(mutated(valid.agent), (t) => checkDecoder(parseAgentMessage, t)), { numRuns: 600 });
    fc.assert(fc.property(mutated(valid.server), (t) => checkDecoder(parseServerMessage, t)), { numRuns: 600 });
  });

  it("the unmutated frames are accepted (so the refusals above are not a broken decoder)", () => {
    for (const f of valid.agent) expect(parseAgentMessage(JSON.stringify(f))).toMatchObject({ ok: true });
    for (const f of valid.server) expect(parseServerMessage(JSON.stringify(f))).toMatchObject({ ok: true });
  });

  it("exec check names in a hello cannot carry a path, a shell word or a control character", () => {
    const hello = valid.agent[1]!;
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 70 }), (name) => {
      const r = parseAgentMessage(JSON.stringify({ ...hello, execChecks: [name] }));
      if (r.ok) expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/);
    }), { numRuns: 1000 });
  });
});
