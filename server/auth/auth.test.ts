import { describe, expect, it } from "vitest";
import { checkPasswordPolicy, hashPassword, PasswordPolicyError, verifyPassword } from "./password.ts";
import { newToken, readCookie, sessionCookie, tokenHash, tokenMatches } from "./sessionToken.ts";

describe("password", () => {
  it("hashes with argon2id and verifies", async () => {
    const h = await hashPassword("correct horse battery");
    expect(h.startsWith("$argon2id$")).toBe(true);
    expect(await verifyPassword(h, "correct horse battery")).toBe(true);
    expect(await verifyPassword(h, "wrong horse battery")).toBe(false);
    expect(await verifyPassword("not-a-hash", "whatever")).toBe(false);
  });

  it("enforces the policy with a message naming the field", () => {
    expect(() => checkPasswordPolicy("short")).toThrow(PasswordPolicyError);
    expect(() => checkPasswordPolicy("short")).toThrow(/^password: must be at least 10/);
  });
});

describe("tokens and cookies", () => {
  it("stores only a hash and compares it", () => {
    const t = newToken("lvsa_");
    expect(t.startsWith("lvsa_")).toBe(true);
    expect(t.length).toBeGreaterThan(40);
    expect(tokenMatches(t, tokenHash(t))).toBe(true);
    expect(tokenMatches(t + "x", tokenHash(t))).toBe(false);
    expect(tokenMatches(t, "abc")).toBe(false);
  });

  it("sets an HTTP-only cookie and reads it back", () => {
    const c = sessionCookie("tok", 3600, true);
    expect(c).toContain("HttpOnly");
    expect(c).toContain("Secure");
    expect(c).toContain("SameSite=Lax");
    expect(readCookie("a=1; lvs_session=tok; b=2", "lvs_session")).toBe("tok");
    expect(readCookie(undefined, "lvs_session")).toBeNull();
  });
});
