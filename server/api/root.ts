import { router } from "./trpc.ts";
import { topologyRouter } from "./routers/topology.ts";
import { directorRouter } from "./routers/director.ts";

export const appRouter = router({
  topology: topologyRouter,
  director: directorRouter,
});

export type AppRouter = typeof appRouter;
