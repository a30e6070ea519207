/**
 * Opaque session and agent tokens: 32 random bytes, base64url, shown once; only their SHA-256 is
 * stored (the tokens are high-entropy, so a fast hash is safe), compared in constant time.
 */
// the token primitives live with the use cases that also mint agent tokens (services/ never imports auth/)
export { newToken, sameHash, tokenHash, tokenMatches } from "../services/opaqueToken.ts";

export const SESSION_COOKIE = "lvs_session";

/** Cookie attributes: HTTP-only, SameSite=Lax, Secure when served over HTTPS. */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  const parts = [`${SESSION_COOKIE}=${token}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${maxAgeSeconds}`];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}

export function clearSessionCookie(secure: boolean): string {
  return sessionCookie("", 0, secure);
}

/** Read one cookie from a Cookie header; a value that is not valid percent-encoding counts as absent. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return null; // "lvs_session=%": no session, not an error
      }
    }
  }
  return null;
}
