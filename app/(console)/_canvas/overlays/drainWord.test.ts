import { describe, expect, it } from "vitest";
import { drainWord } from "./drainWord.ts";

describe("drainWord: the live node agrees with the drain status", () => {
  it("weight 0 with inactive connections left is draining, as the Deploy tab says (not drained)", () => {
    expect(drainWord({ quiesced: true, activeConns: 0, inactConns: 333 })).toBe("draining");
    expect(drainWord({ quiesced: true, activeConns: 2, inactConns: 0 })).toBe("draining");
  });
  it("drained once both counts are 0; nothing to say when not quiesced", () => {
    expect(drainWord({ quiesced: true, activeConns: 0, inactConns: 0 })).toBe("drained");
    expect(drainWord({ quiesced: false, activeConns: 0, inactConns: 0 })).toBeNull();
  });
});
