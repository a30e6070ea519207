import { describe, expect, it } from "vitest";
import { parseAgentMessage, parseServerMessage } from "./agent.ts";

describe("agent protocol", () => {
  it("parses valid messages both ways", () => {
    const hb = parseAgentMessage(JSON.stringify({ v: 1, type: "heartbeat", at: 5, appliedRevision: 3 }));
    expect(hb).toEqual({ ok: true, message: { v: 1, type: "heartbeat", at: 5, appliedRevision: 3 } });
    const d = parseServerMessage(JSON.stringify({ v: 1, type: "desired", revision: 2, table: { services: [] }, health: { targets: [], sorryServers: [] }, options: { statsIntervalMs: 1000 } }));
    expect(d.ok).toBe(true);
  });
  it("names what is wrong: not JSON, unknown type, wrong field, wrong version", () => {
    expect(parseAgentMessage("{")).toEqual({ ok: false, reason: "frame is not JSON" });
    expect(parseAgentMessage(JSON.stringify({ v: 1, type: "nope" }))).toMatchObject({ ok: false, reason: expect.stringMatching(/^message type "nope": type: /) });
    expect(parseAgentMessage(JSON.stringify({ v: 1, type: "heartbeat", at: "x", appliedRevision: null }))).toMatchObject({ ok: false, reason: expect.stringMatching(/^message type "heartbeat": at: /) });
    expect(parseAgentMessage(JSON.stringify({ v: 2, type: "heartbeat", at: 1, appliedRevision: null }))).toMatchObject({ ok: false, reason: "protocol version 2, this side speaks 1: upgrade the agent and the control plane together" });
    // a server message is not an agent message
    expect(parseAgentMessage(JSON.stringify({ v: 1, type: "welcome", directorId: "d", directorName: "d", serverTime: 1, heartbeatMs: 1000 })).ok).toBe(false);
  });
});
