/** Registers `/api/agent` on the server (add `agentPlugin` to defaultPlugins in server/plugins.ts). */
import type { ServerPlugin } from "../plugins.ts";
import { AgentHub, type DesiredState } from "./agentHub.ts";
import { PrismaAgentDirectory } from "./agentDirectory.ts";
import { createDesiredFor } from "../services/desiredFor.ts";
import { recordHaReport } from "../services/ha/haService.ts";

export const AGENT_PATH = "/api/agent";

export function createAgentPlugin(o: { heartbeatMs?: number; desiredFor?: (directorId: string) => Promise<DesiredState | null> } = {}): ServerPlugin {
  return {
    name: "agent",
    start({ ws, db, bus, log, now, live, cluster }) {
      const hubLog = log.child({ hub: "agent" });
      const hub = new AgentHub({
        directory: live ? live.wrapDirectory(new PrismaAgentDirectory(db.prisma)) : new PrismaAgentDirectory(db.prisma), bus, now,
        desiredFor: o.desiredFor ?? createDesiredFor(db.prisma),
        log: { info: (obj, msg) => hubLog.info(obj, msg), warn: (obj, msg) => hubLog.warn(obj, msg) },
        onHa: (r) => recordHaReport({ db, bus, now }, r).catch((e: Error) => hubLog.warn({ directorId: r.directorId, err: e.message }, "HA report not recorded")),
        ...(o.heartbeatMs ? { heartbeatMs: o.heartbeatMs } : {}),
        ...(cluster ? { cluster: cluster.agents } : {}),
      });
      const unregister = ws.registerWsPath(AGENT_PATH, hub.handleUpgrade);
      // live.connections asks the agent holding the socket for its connection table
      live?.setConnectionSource(hub);
      return { close: async () => { live?.setConnectionSource(null); unregister(); await hub.close(); } };
    },
  };
}

export const agentPlugin = createAgentPlugin();
