import { describe, expect, it } from "vitest";
import { formatDateTime, utcText } from "./dateTime.ts";

const at = Date.UTC(2026, 11, 6, 7, 37, 5);

describe("formatDateTime", () => {
  it("writes the instant in the given zone and locale, 24-hour, to the second", () => {
    expect(formatDateTime(at, "en", "full", "UTC")).toBe("12/06/2026, 07:37:05");
    expect(formatDateTime(at, "zh", "full", "Asia/Shanghai")).toBe("2026/12/06 15:37:05");
    expect(formatDateTime(at, "en", "time", "America/New_York")).toBe("02:37:05");
  });
  it("the tooltip is UTC whatever the zone", () => {
    expect(utcText(new Date(at).toISOString())).toBe("2026-12-06 07:37:05 UTC");
  });
  it("a bad value is a dash, not 'Invalid Date'", () => {
    expect(formatDateTime("nope", "en")).toBe("—");
  });
});
