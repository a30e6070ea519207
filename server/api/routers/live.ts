/**
 * live.*: history (1 s samples or minute rollups, downsampled to maxPoints), the connection table
 * of one director fetched from its agent on demand, availability from the health history, and the
 * current per-director state (the same as a `/api/live` snapshot).
 */
import {
  availabilityInputSchema, connectionsInputSchema, historyInputSchema, snapshotInputSchema, zeroInputSchema, type LiveApi,
} from "../../live/liveApi.ts";
import { ServiceError } from "../../services/ServiceError.ts";
import { auditActor, authedProcedure, router, type Context } from "../trpc.ts";

function api(ctx: Context): LiveApi {
  if (!ctx.live) throw new ServiceError("PRECONDITION_FAILED", "live statistics are not running on this server");
  return ctx.live;
}

export const liveRouter = router({
  history: authedProcedure("live.subscribe").input(historyInputSchema).query(({ ctx, input }) => api(ctx).history(input)),
  connections: authedProcedure("live.subscribe").input(connectionsInputSchema).query(({ ctx, input }) => api(ctx).connections(input)),
  availability: authedProcedure("live.subscribe").input(availabilityInputSchema).query(({ ctx, input }) => api(ctx).availability(input)),
  snapshot: authedProcedure("live.subscribe").input(snapshotInputSchema).query(({ ctx, input }) => api(ctx).snapshot(input)),
  /** `ipvsadm -Z [service]` on one director (operator; audited as stats.zero) */
  zero: authedProcedure("stats.zero").input(zeroInputSchema).mutation(({ ctx, input }) => api(ctx).zero(input, auditActor(ctx))),
});
