import { describe, expect, it } from "vitest";
import { compareAgentVersion, isLoopbackHost } from "./agentVersion.ts";

describe("compareAgentVersion", () => {
  it("orders by the numbers, tells another build of the same numbers apart, and knows when it cannot tell", () => {
    expect(compareAgentVersion("0.1.0+gaaaaaaaaaaaa", "0.1.0+gaaaaaaaaaaaa")).toBe("same");
    expect(compareAgentVersion("0.1.0+gaaaaaaaaaaaa", "0.2.0+gbbbbbbbbbbbb")).toBe("older");
    expect(compareAgentVersion("0.9.9+g1", "0.10.0+g2")).toBe("older"); // numbers, not text
    expect(compareAgentVersion("1.0.0+g1", "0.10.0+g2")).toBe("newer");
    expect(compareAgentVersion("0.1.0+gaaaaaaaaaaaa", "0.1.0+gbbbbbbbbbbbb.dirty")).toBe("different");
    expect(compareAgentVersion("0.1.0+source", "0.1.0+gbbbbbbbbbbbb")).toBe("different");
    expect(compareAgentVersion("t", "0.1.0+g1")).toBe("different");
    expect(compareAgentVersion(null, "0.1.0+g1")).toBe("unknown");
    expect(compareAgentVersion("0.1.0+g1", null)).toBe("unknown");
  });
});

describe("isLoopbackHost", () => {
  it("flags what a director cannot reach", () => {
    for (const h of ["localhost", "127.0.0.1", "127.1.2.3", "[::1]", "::1", "0.0.0.0", "app.localhost", "::ffff:127.0.0.1"]) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ["10.0.0.5", "lvs.example.com", "[fd00::1]", "128.0.0.1", "127.example.com"]) expect(isLoopbackHost(h), h).toBe(false);
  });
});
