import { describe, expect, it } from "vitest";
import { splitQuoted } from "./QuotedCode.tsx";

describe("splitQuoted", () => {
  it("marks the quoted kernel text and command as code, keeps the prose", () => {
    expect(splitQuoted('会被内核拒绝（"Numerical result out of range"）；例如 "ip addr add 10.0.0.1/32 dev lo"。')).toEqual([
      { text: "会被内核拒绝（", code: false },
      { text: "Numerical result out of range", code: true },
      { text: "）；例如 ", code: false },
      { text: "ip addr add 10.0.0.1/32 dev lo", code: true },
      { text: "。", code: false },
    ]);
  });
  it("an unbalanced quote stays prose", () => {
    expect(splitQuoted('say "hi')).toEqual([{ text: 'say "hi', code: false }]);
  });
});
