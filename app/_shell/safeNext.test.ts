import { describe, expect, it } from "vitest";
import { safeNext } from "./safeNext.ts";

describe("safeNext: only same-origin paths after sign-in", () => {
  it("keeps same-origin paths with their query and fragment", () => {
    expect(safeNext("/topology/abc?tab=live#x")).toBe("/topology/abc?tab=live#x");
    expect(safeNext("/")).toBe("/");
    expect(safeNext("/deploy/%2Fx")).toBe("/deploy/%2Fx");
    expect(safeNext("/ /evil.test")).toBe("/%20/evil.test"); // a path on this origin, as the browser would encode it
  });
  it("refuses everything that leaves the origin once a browser parses it", () => {
    for (const bad of [
      null, undefined, "", "https://evil.test/", "//evil.test/", "/\\evil.test", "\\\\evil.test",
      "/\t/127.0.0.2:9999/pwned", decodeURIComponent("%2F%09%2F127.0.0.2%3A9999%2Fpwned"), "/\n/evil.test", "/\r/evil.test",
      "\t//evil.test", " //evil.test", "javascript:alert(1)", "/\\/evil.test", "/%09/evil.test".replace("%09", "\u0009"),
      "http:/evil.test", "evil.test", "./x", "/\u0000/evil.test",
    ]) {
      expect([bad, safeNext(bad)]).toEqual([bad, "/"]);
    }
  });
});
