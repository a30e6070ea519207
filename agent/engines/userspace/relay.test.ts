/** The pooled read buffers' cached views (relay.ts ReadSlot): the same object while sizes repeat. */
import { describe, expect, it } from "vitest";
import { ReadSlot } from "./relay.ts";

describe("ReadSlot", () => {
  it("hands out a view of exactly n bytes, reusing the last two sizes' views", () => {
    const slot = new ReadSlot(Buffer.alloc(64));
    const a = slot.bytes(10);
    expect(a.length).toBe(10);
    expect(slot.bytes(10)).toBe(a);
    const b = slot.bytes(20);
    expect(b.length).toBe(20);
    // request and response sizes alternating on one buffer: no new view
    expect(slot.bytes(10)).toBe(a);
    expect(slot.bytes(20)).toBe(b);
    expect(slot.bytes(20)).toBe(b);
    const c = slot.bytes(30);
    expect(c.length).toBe(30);
    expect(slot.bytes(20)).toBe(b);
    expect(slot.bytes(10)).not.toBe(a); // the oldest size was dropped
    expect(slot.bytes(10).length).toBe(10);
  });

  it("views share the buffer's memory: a later read shows its own bytes through the cached view", () => {
    const slot = new ReadSlot(Buffer.alloc(16));
    slot.buf.write("abcd");
    const v = slot.bytes(4);
    expect(v.toString()).toBe("abcd");
    slot.buf.write("wxyz");
    expect(slot.bytes(4)).toBe(v);
    expect(v.toString()).toBe("wxyz");
    expect(slot.bytes(0).length).toBe(0);
  });
});
