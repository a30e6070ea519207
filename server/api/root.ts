import { router } from "./trpc.ts";
import { topologyRouter } from "./routers/topology.ts";

export const appRouter = router({
  topology: topologyRouter,
});

export type AppRouter = typeof appRouter;
