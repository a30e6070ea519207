import { describe, expect, it } from "vitest";
import { agentUrl, backoffDelay } from "./link.ts";

describe("link helpers", () => {
  it("maps the --server URL onto the agent endpoint", () => {
    expect(agentUrl("http://cp:3000")).toBe("ws://cp:3000/api/agent");
    expect(agentUrl("https://cp.example/")).toBe("wss://cp.example/api/agent");
    expect(agentUrl("wss://cp/custom/agent")).toBe("wss://cp/custom/agent");
    expect(() => agentUrl("ftp://cp")).toThrow(/unsupported scheme ftp:/);
  });
  it("backs off exponentially with equal jitter, capped", () => {
    const b = { initialMs: 500, maxMs: 30000 };
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, b, () => 0))).toEqual([250, 500, 1000, 2000]);
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, b, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(20, b, () => 0)).toBe(15000);
    expect(backoffDelay(1000, b, () => 1)).toBe(30000);
  });
});
