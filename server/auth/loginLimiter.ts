/**
 * Sign-in throttling: failures are counted per account and per client address separately
 * (an attacker spraying many accounts from one address hits the address limit; many addresses
 * against one account hit the account limit). A success clears the account's count only.
 */
import { FailureLimiter } from "./rateLimit.ts";

export interface LoginLimits {
  perAccount: number;
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 5, perAddress: 20, windowMs: 15 * 60_000 };

export class LoginLimiter {
  private readonly account: FailureLimiter;
  private readonly address: FailureLimiter;

  constructor(now: () => number, limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
    this.account = new FailureLimiter({ limit: limits.perAccount, windowMs: limits.windowMs, now });
    this.address = new FailureLimiter({ limit: limits.perAddress, windowMs: limits.windowMs, now });
  }

  /** ms until this account / address may try again (0 = now) */
  retryAfter(email: string, ip: string | null): number {
    return Math.max(this.account.retryAfter(email), ip ? this.address.retryAfter(ip) : 0);
  }

  fail(email: string, ip: string | null): void {
    this.account.fail(email);
    if (ip) this.address.fail(ip);
  }

  succeed(email: string): void {
    this.account.succeed(email);
  }
}

const perDatabase = new WeakMap<object, LoginLimiter>();

/** One limiter per server instance (keyed by its database handle), created on first use. */
export function loginLimiterFor(key: object, now: () => number): LoginLimiter {
  let l = perDatabase.get(key);
  if (!l) perDatabase.set(key, (l = new LoginLimiter(now)));
  return l;
}
