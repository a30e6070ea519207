import { router } from "./trpc.ts";
import { topologyRouter } from "./routers/topology.ts";
import { directorRouter } from "./routers/director.ts";
import { liveRouter } from "./routers/live.ts";

export const appRouter = router({
  topology: topologyRouter,
  director: directorRouter,
  live: liveRouter,
});

export type AppRouter = typeof appRouter;
