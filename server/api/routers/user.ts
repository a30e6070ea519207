/** User administration: admin only (user.admin), every change audited by UserService. */
import { z } from "zod";
import { ROLES } from "../../../lvs/auth/permissions.ts";
import { UserService } from "../../auth/userService.ts";
import { auditActor, authedProcedure, router, type Context } from "../trpc.ts";
import { emailSchema, passwordSchema } from "./auth.ts";

const id = z.string().min(1).max(64);
const role = z.enum(ROLES);
const service = (ctx: Context) => new UserService({ db: ctx.db, actor: auditActor(ctx), now: ctx.now });
const admin = authedProcedure("user.admin");

export const userRouter = router({
  list: admin.query(({ ctx }) => service(ctx).list()),
  create: admin
    .input(z.object({ email: emailSchema, name: z.string().trim().max(128).default(""), role, password: passwordSchema }))
    .mutation(({ ctx, input }) => service(ctx).create(input)),
  setRole: admin.input(z.object({ id, role })).mutation(({ ctx, input }) => service(ctx).setRole(input.id, input.role)),
  resetPassword: admin.input(z.object({ id, password: passwordSchema })).mutation(({ ctx, input }) => service(ctx).resetPassword(input.id, input.password)),
  setDisabled: admin.input(z.object({ id, disabled: z.boolean() })).mutation(({ ctx, input }) => service(ctx).setDisabled(input.id, input.disabled)),
});
