/**
 * Registers `/api/agent` (composition: the socket hub from realtime/, its Prisma storage and the
 * desired-state service from services/, the live runtime from live/ subscribing to the hub's events).
 */
import type { ServerPlugin } from "./plugins.ts";
import { AgentHub } from "./realtime/agentHub.ts";
import { PrismaAgentDirectory } from "./services/agentRecords.ts";
import type { DesiredState } from "./services/desiredState.ts";

export const AGENT_PATH = "/api/agent";

export function createAgentPlugin(o: { heartbeatMs?: number; desiredFor?: (directorId: string) => Promise<DesiredState | null> } = {}): ServerPlugin {
  return {
    name: "agent",
    start({ ws, db, bus, log, now, live, desired, cluster, env, install }) {
      const hubLog = log.child({ hub: "agent" });
      const hub = new AgentHub({
        directory: new PrismaAgentDirectory(db.prisma), bus, now,
        desiredFor: o.desiredFor ?? desired.desiredFor,
        log: { info: (obj, msg) => hubLog.info(obj, msg), warn: (obj, msg) => hubLog.warn(obj, msg) },
        ...(o.heartbeatMs ? { heartbeatMs: o.heartbeatMs } : {}),
        ...(cluster ? { cluster: cluster.agents } : {}),
        // an agent refused for its protocol is told which version to install, and from where
        install: { serves: () => install?.release()?.version ?? null, publicUrl: install?.publicUrl ?? env.LVS_PUBLIC_URL ?? null },
      });
      const unregister = ws.registerWsPath(AGENT_PATH, hub.handleUpgrade);
      // the live runtime owns the statistics: it follows the hub's agent events, and asks the agent
      // holding the socket for its connection table
      const detach = live?.attach(hub);
      return { close: async () => { detach?.(); unregister(); await hub.close(); } };
    },
  };
}

export const agentPlugin = createAgentPlugin();
