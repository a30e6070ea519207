/** Hourly removal of ended sessions (a user who never signs in again would otherwise leave rows behind). */
import type { ServerPlugin } from "../plugins.ts";
import { pruneSessions } from "./sessions.ts";

export function createSessionPrunePlugin(intervalMs = 3600_000): ServerPlugin {
  return {
    name: "session-prune",
    start({ db, log, now, cluster }) {
      // one instance prunes: the leader (every instance without a cluster, i.e. tests)
      const run = () =>
        (cluster && !cluster.cluster.isLeader()) ||
        void pruneSessions(db.prisma, now()).then(
          (n) => n > 0 && log.debug({ removed: n }, "ended sessions removed"),
          (err) => log.warn({ err }, "session prune failed"),
        );
      const timer = setInterval(run, intervalMs);
      timer.unref();
      run();
      return { close: async () => clearInterval(timer) };
    },
  };
}

export const sessionPrunePlugin = createSessionPrunePlugin();
