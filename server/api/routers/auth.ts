/**
 * Sign-in: the only anonymous procedures of the API (see publicProcedure in ../trpc.ts).
 *   status  {setupRequired, session}: the UI's "who am I" and "does the first admin exist yet"
 *   setup   create the first admin (only while no user exists) and sign in
 *   login   email + password -> session cookie (throttled per account and per address)
 *   logout  end this browser's session and clear the cookie
 * and, for a signed-in user, changePassword (their own; needs the current one).
 */
import { z } from "zod";
import { AuthService, type SignedIn } from "../../auth/authService.ts";
import { PASSWORD_MAX } from "../../auth/password.ts";
import { clearSessionCookie } from "../../auth/sessionToken.ts";
import { isHttps, sessionSetCookie, sessionTokenOf } from "../../auth/sessions.ts";
import { authedProcedure, publicProcedure, router, type Context } from "../trpc.ts";
import type { SessionInfo } from "../../auth/session.ts";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(3, "email is required")
  .max(320, "email is at most 320 characters")
  .regex(/^[^\s@]+@[^\s@]+$/, "must look like name@example.com");
/** the length rules live in password.ts (one message for UI and API); the cap here bounds the input */
export const passwordSchema = z.string().max(PASSWORD_MAX, `password is at most ${PASSWORD_MAX} characters`);

const service = (ctx: Context) => new AuthService({ db: ctx.db, now: ctx.now, ...ctx.auth });
const client = (ctx: Context) => ({ ip: ctx.ip, userAgent: ctx.http?.req.headers["user-agent"] ?? null });

function signedIn(ctx: Context, s: SignedIn): { session: SessionInfo } {
  ctx.http?.res.appendHeader("Set-Cookie", sessionSetCookie(ctx.http.req, s.cookie));
  return { session: s.session };
}

export const authRouter = router({
  status: publicProcedure.query(async ({ ctx }) => ({
    setupRequired: ctx.session ? false : await service(ctx).setupRequired(),
    session: ctx.session,
  })),

  setup: publicProcedure
    .input(z.object({ email: emailSchema, name: z.string().trim().max(128).default(""), password: passwordSchema }))
    .mutation(async ({ ctx, input }) => signedIn(ctx, await service(ctx).setup(input, client(ctx)))),

  login: publicProcedure
    .input(z.object({ email: emailSchema, password: passwordSchema }))
    .mutation(async ({ ctx, input }) => signedIn(ctx, await service(ctx).login(input, client(ctx)))),

  changePassword: authedProcedure("account.password")
    .input(z.object({ currentPassword: passwordSchema, newPassword: passwordSchema }))
    .mutation(async ({ ctx, input }) => {
      const token = ctx.http ? sessionTokenOf(ctx.http.req) : null;
      await service(ctx).changePassword(ctx.session, input, { ...client(ctx), token });
      return { ok: true as const };
    }),

  logout: publicProcedure.mutation(async ({ ctx }) => {
    const token = ctx.http ? sessionTokenOf(ctx.http.req) : null;
    await service(ctx).logout(token, client(ctx));
    ctx.http?.res.appendHeader("Set-Cookie", clearSessionCookie(isHttps(ctx.http.req)));
    return { ok: true as const };
  }),
});
