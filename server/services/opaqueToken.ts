/**
 * Opaque session and agent tokens: 32 random bytes, base64url, shown once; only their SHA-256 is
 * stored (the tokens are high-entropy, so a fast hash is safe), compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export function newToken(prefix = ""): string {
  return prefix + randomBytes(32).toString("base64url");
}

export function tokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function tokenMatches(token: string, storedHash: string): boolean {
  const a = Buffer.from(tokenHash(token), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Two stored token hashes (hex) are the same, compared in constant time; empty never matches. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
