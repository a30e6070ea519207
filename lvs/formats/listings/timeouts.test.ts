import { describe, expect, it } from "vitest";
import { parseTimeouts, renderTimeouts } from "./timeouts.ts";

describe("ipvsadm -L --timeout", () => {
  it("reads the line ipvsadm 1.31 prints (kernel lab) and renders it back byte for byte", () => {
    const text = "Timeout (tcp tcpfin udp): 900 120 300\n";
    expect(parseTimeouts(text)).toEqual({ tcp: 900, tcpfin: 120, udp: 300 });
    expect(renderTimeouts(parseTimeouts(text))).toBe(text);
  });
  it("names the line that is not a timeout listing", () => {
    expect(() => parseTimeouts("IP Virtual Server version 1.2.1 (size=4096)\n")).toThrow(/line 1: expected "Timeout/);
  });
});
