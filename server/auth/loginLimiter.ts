/**
 * Sign-in throttling in the database, so it holds across requests in one tRPC batch, concurrent
 * requests and several control-plane instances. An attempt is RESERVED before the password is checked:
 * under a transaction-scoped advisory lock per key, the attempts of the account and of the client
 * address inside the window are counted, and only if both are below their limits is one attempt
 * recorded for each; otherwise the sign-in is refused without a password check. So at most `perAccount`
 * password checks per account and `perAddress` per address happen in any window.
 * A success clears the account's attempts and its own address attempt (a good sign-in does not count
 * against the address). Works on PostgreSQL and PGlite (raw SQL: LoginAttempt, see the migration).
 */
import type { PrismaClient } from "../../generated/prisma/client.ts";

export interface LoginLimits {
  perAccount: number;
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 5, perAddress: 20, windowMs: 15 * 60_000 };

/** the first key of the two-int pg_advisory_xact_lock form, unique to sign-in throttling */
const LOCK_SPACE = 7_370_119;

export type Reservation = { ok: true; ids: bigint[]; addressId: bigint | null } | { ok: false; retryAfterMs: number };

export class LoginLimiter {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => number,
    private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
  ) {}

  /** Reserves one password check for `email` from `ip`, or says how long to wait. */
  async reserve(email: string, ip: string | null): Promise<Reservation> {
    const now = this.now();
    const at = new Date(now);
    const cutoff = new Date(now - this.limits.windowMs);
    const keys: Array<[key: string, limit: number]> = [[`account:${email}`, this.limits.perAccount]];
    if (ip) keys.push([`address:${ip}`, this.limits.perAddress]);
    keys.sort((a, b) => (a[0] < b[0] ? -1 : 1)); // one lock order: no deadlock between two sign-ins
    return this.prisma.$transaction(async (tx) => {
      for (const [key] of keys) await tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock(${LOCK_SPACE}, hashtext($1))::text AS locked`, key);
      await tx.$executeRawUnsafe(`DELETE FROM "LoginAttempt" WHERE "at" <= $1`, cutoff);
      let wait = 0;
      for (const [key, limit] of keys) {
        const rows = await tx.$queryRawUnsafe<Array<{ n: number; oldest: Date | null }>>(
          `SELECT count(*)::int AS n, min("at") AS oldest FROM "LoginAttempt" WHERE "key" = $1 AND "at" > $2`, key, cutoff);
        const { n, oldest } = rows[0] ?? { n: 0, oldest: null };
        if (n >= limit) wait = Math.max(wait, (oldest ? new Date(oldest).getTime() : now) + this.limits.windowMs - now, 1);
      }
      if (wait > 0) return { ok: false as const, retryAfterMs: wait };
      const ids: bigint[] = [];
      let addressId: bigint | null = null;
      for (const [key] of keys) {
        const r = await tx.$queryRawUnsafe<Array<{ id: bigint }>>(`INSERT INTO "LoginAttempt" ("key", "at") VALUES ($1, $2) RETURNING "id"`, key, at);
        ids.push(r[0]!.id);
        if (key.startsWith("address:")) addressId = r[0]!.id;
      }
      return { ok: true as const, ids, addressId };
    }, { maxWait: 30_000, timeout: 60_000 });
  }

  /** After a good password: the account starts afresh, and this attempt does not count against the address. */
  async succeeded(email: string, r: Extract<Reservation, { ok: true }>): Promise<void> {
    await this.prisma.$executeRawUnsafe(`DELETE FROM "LoginAttempt" WHERE "key" = $1 OR "id" = $2`, `account:${email}`, r.addressId ?? -1n);
  }
}
