/**
 * Registers `/api/agent` (composition: the socket hub from realtime/, its Prisma storage and the
 * desired-state service from services/, the live runtime from live/ subscribing to the hub's events).
 */
import type { ServerPlugin } from "./plugins.ts";
import { AgentHub } from "./realtime/agentHub.ts";
import { PrismaAgentDirectory } from "./services/agentRecords.ts";
import type { DesiredState } from "./services/desiredState.ts";
import { RealServerHub } from "./realtime/realServerHub.ts";
import { PrismaRealServerAgentStore } from "./services/realServerAgentRecords.ts";
import { realServerDesiredFor } from "./services/realServerAgentService.ts";
import { recordHaReport } from "./services/ha/haService.ts";
import { REALSERVER_TOKEN_PREFIX } from "../lvs/protocol/realServer.ts";

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
        // the director's own prerequisites (DIPs, VIP, ip_forward, modules) as its agent observed them
        onPrereq: async (r) => {
          await db.prisma.director.updateMany({
            where: { id: r.directorId },
            data: { prerequisites: { revision: r.revision, checks: r.checks, errors: r.errors } as object, prerequisitesAt: new Date(r.at) },
          });
        },
        // VRRP transitions and HA status → HaEvent / HaDirectorStatus and the live `ha.changed` notice
        onHa: (r) => recordHaReport({ db, bus, now }, r).catch((e: Error) => hubLog.warn({ directorId: r.directorId, err: e.message }, "HA report not recorded")),
        // an agent refused for its protocol is told which version to install, and from where
        install: { serves: () => install?.release()?.version ?? null, publicUrl: install?.publicUrl ?? env.LVS_PUBLIC_URL ?? null },
      });
      // the real-server role shares the path and the link; its tokens (lvsr_…) go to its own hub
      const rsLog = log.child({ hub: "realserver" });
      const rsHub = new RealServerHub({
        store: new PrismaRealServerAgentStore(db.prisma), bus, now,
        desiredFor: (a) => realServerDesiredFor(db.prisma, a),
        log: { info: (obj, msg) => rsLog.info(obj, msg), warn: (obj, msg) => rsLog.warn(obj, msg) },
        ...(o.heartbeatMs ? { heartbeatMs: o.heartbeatMs } : {}),
      });
      const unregister = ws.registerWsPath(AGENT_PATH, (req, socket, head) => {
        const token = /^Bearer\s+(\S{16,512})$/i.exec(req.headers.authorization ?? "")?.[1];
        if (token?.startsWith(REALSERVER_TOKEN_PREFIX)) return rsHub.handleUpgrade(req, socket, head, token);
        hub.handleUpgrade(req, socket, head);
      });
      // the live runtime owns the statistics: it follows the hub's agent events, and asks the agent
      // holding the socket for its connection table
      const detach = live?.attach(hub);
      return { close: async () => { detach?.(); unregister(); await hub.close(); await rsHub.close(); } };
    },
  };
}

export const agentPlugin = createAgentPlugin();
