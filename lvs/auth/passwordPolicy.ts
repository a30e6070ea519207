/** Password length rules, pure so the UI can show them too (server/auth/password.ts enforces them). */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;
