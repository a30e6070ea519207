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

describe("hello.execChecks (additive)", () => {
  const hello = { v: 1, type: "hello", agentVersion: "1", engine: "userspace", hostname: "h", appliedRevision: null, table: { services: [] } };
  it("lists installed check names; absent is fine; a path or shell text is refused", () => {
    expect(parseAgentMessage(JSON.stringify(hello)).ok).toBe(true);
    expect(parseAgentMessage(JSON.stringify({ ...hello, execChecks: ["check_http", "dns.sh"] }))).toMatchObject({ ok: true, message: { execChecks: ["check_http", "dns.sh"] } });
    for (const bad of ["../sh", "/bin/sh", "a b", "x;reboot", ""]) expect(parseAgentMessage(JSON.stringify({ ...hello, execChecks: [bad] })).ok).toBe(false);
  });
});
