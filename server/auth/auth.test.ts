import { describe, expect, it } from "vitest";
import { checkPasswordPolicy, hashPassword, PasswordPolicyError, verifyPassword } from "./password.ts";
import { FailureLimiter } from "./rateLimit.ts";
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

describe("FailureLimiter", () => {
  it("blocks after the limit inside the window and frees after it", () => {
    let now = 0;
    const l = new FailureLimiter({ limit: 3, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfter("alice")).toBe(0);
      l.fail("alice");
      now += 1000;
    }
    expect(l.retryAfter("alice")).toBe(57_000);
    expect(l.retryAfter("bob")).toBe(0);
    now = 60_001;
    expect(l.retryAfter("alice")).toBe(0);
    l.fail("alice");
    l.succeed("alice");
    expect(l.retryAfter("alice")).toBe(0);
  });

  it("stays bounded", () => {
    const l = new FailureLimiter({ limit: 1, windowMs: 1000, now: () => 0, maxKeys: 2 });
    l.fail("a"); l.fail("b"); l.fail("c");
    expect(l.retryAfter("a")).toBe(0);
    expect(l.retryAfter("c")).toBe(1000);
  });
});
