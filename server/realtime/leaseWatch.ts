/**
 * Several instances: after each lease renewal, a connection of this instance whose lease is gone
 * either takes it back (it expired while this instance stalled; the agent is still here) or closes
 * (another instance holds the director now).
 */
import { CLOSE } from "../../lvs/protocol/agent.ts";
import type { AgentCluster, Conn, HubLog } from "./agentConn.ts";
import type { AgentDirectory, AgentIdentity } from "./agentDirectory.ts";

export function watchLeases(
  cluster: AgentCluster, conns: () => Iterable<Conn>,
  o: { log: HubLog; directory: AgentDirectory; online: (d: AgentIdentity) => Promise<void> },
): () => void {
  return cluster.onLeases((held, renewedFrom) => {
    const mine = new Set(held.map((h) => `${h.directorId}|${h.connectionId}`));
    for (const c of conns()) {
      if (c.leasedAt === null || c.leasedAt >= renewedFrom || mine.has(`${c.director.id}|${c.id}`)) continue;
      void cluster.reacquire(c.director.id, c.id).then(async (back) => {
        if (!back) return c.ws.close(CLOSE.replaced, "another control-plane instance holds the director now");
        o.log.warn({ directorId: c.director.id }, "agent lease had expired (this instance stalled); taken back");
        await o.directory.markOnlineAgain?.(c.director.id);
        await o.online(c.director);
      }, (e: Error) => o.log.warn({ directorId: c.director.id, err: e.message }, "agent lease check failed"));
    }
  });
}
