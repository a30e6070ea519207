import { describe, expect, it } from "vitest";
import { agentState, anyAgent } from "./agentState.ts";

describe("agentState: a draft director is not an offline one", () => {
  it("never connected (no row, or a row without a sighting) is none; seen and gone is offline", () => {
    expect(agentState(undefined)).toBe("none");
    expect(agentState({ online: false, lastSeenAt: null })).toBe("none");
    expect(agentState({ online: false, lastSeenAt: 1_700_000_000_000 })).toBe("offline");
    expect(agentState({ online: true, lastSeenAt: null })).toBe("online");
  });
  it("anyAgent: drain is offered only when some director's agent ran the topology", () => {
    expect(anyAgent({})).toBe(false);
    expect(anyAgent({ a: { online: false, lastSeenAt: null } })).toBe(false);
    expect(anyAgent({ a: { online: false, lastSeenAt: null }, b: { online: false, lastSeenAt: 5 } })).toBe(true);
  });
});
