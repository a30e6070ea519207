/**
 * Password hashing with argon2id (memory-hard; @node-rs/argon2, prebuilt, maintained).
 * Parameters follow OWASP's argon2id minimum (19 MiB, t=2, p=1). Policy: 10..256 characters.
 */
import { hash, verify } from "@node-rs/argon2";
import { PASSWORD_MAX, PASSWORD_MIN } from "../../lvs/auth/passwordPolicy.ts";

export { PASSWORD_MAX, PASSWORD_MIN };

export class PasswordPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PasswordPolicyError";
  }
}

export function checkPasswordPolicy(password: string): void {
  if (password.length < PASSWORD_MIN) throw new PasswordPolicyError(`password: must be at least ${PASSWORD_MIN} characters`);
  if (password.length > PASSWORD_MAX) throw new PasswordPolicyError(`password: must be at most ${PASSWORD_MAX} characters`);
}

export async function hashPassword(password: string): Promise<string> {
  checkPasswordPolicy(password);
  return hash(password, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
}

/** Constant-time inside argon2; a malformed stored hash verifies as false, never throws. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  if (password.length > PASSWORD_MAX) return false;
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
