/**
 * ha.*: HA groups of a topology (who is MASTER since when, split brain, sync health, transitions),
 * planned switchover and hand-back (audited, recorded as planned downtime), and availability per
 * group and per director split into planned and unplanned downtime.
 */
import { z } from "zod";
import { endSwitchover, haAvailability, haOverview, startSwitchover, type HaDeps } from "../../services/ha/haService.ts";
import { auditActor, authedProcedure, router, type Context } from "../trpc.ts";

const id = z.string().min(1).max(64);
const deps = (ctx: Context): HaDeps => ({ db: ctx.db, bus: ctx.bus, now: ctx.now });

export const haRouter = router({
  overview: authedProcedure("live.subscribe").input(z.object({ topologyId: id })).query(({ ctx, input }) => haOverview(deps(ctx), input.topologyId)),
  switchover: authedProcedure("ha.switchover")
    .input(z.object({ topologyId: id, directorKey: id }))
    .mutation(({ ctx, input }) => startSwitchover(deps(ctx), { ...input, actor: auditActor(ctx) })),
  handBack: authedProcedure("ha.switchover")
    .input(z.object({ topologyId: id, directorKey: id }))
    .mutation(({ ctx, input }) => endSwitchover(deps(ctx), { ...input, actor: auditActor(ctx) })),
  availability: authedProcedure("live.subscribe")
    .input(z.object({ topologyId: id, from: z.number().int().min(0), to: z.number().int().min(1) }).refine((x) => x.to > x.from, { message: "to must be after from", path: ["to"] }))
    .query(({ ctx, input }) => haAvailability(deps(ctx), input)),
});
