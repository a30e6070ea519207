import { describe, expect, it } from "vitest";
import { isDark, isTheme } from "./theme.ts";

describe("theme", () => {
  it("system follows the OS; light and dark pin it", () => {
    expect(isDark("system", true)).toBe(true);
    expect(isDark("system", false)).toBe(false);
    expect(isDark("light", true)).toBe(false);
    expect(isDark("dark", false)).toBe(true);
  });
  it("only known choices are read back from storage", () => {
    expect(isTheme("dark")).toBe(true);
    expect(isTheme("purple")).toBe(false);
    expect(isTheme(null)).toBe(false);
  });
});
