import { router } from "./trpc.ts";
import { topologyRouter } from "./routers/topology.ts";
import { directorRouter } from "./routers/director.ts";
import { deployRouter } from "./routers/deploy.ts";
import { liveRouter } from "./routers/live.ts";
import { authRouter } from "./routers/auth.ts";
import { userRouter } from "./routers/user.ts";
import { auditRouter } from "./routers/audit.ts";
import { haRouter } from "./routers/ha.ts";
import { realServerRouter } from "./routers/realServer.ts";

export const appRouter = router({
  topology: topologyRouter,
  director: directorRouter,
  deploy: deployRouter,
  live: liveRouter,
  auth: authRouter,
  user: userRouter,
  audit: auditRouter,
  ha: haRouter,
  realServer: realServerRouter,
});

export type AppRouter = typeof appRouter;
