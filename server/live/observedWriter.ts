/**
 * Director.observed: weights and connection counts per destination, derived from the agent's stats,
 * for drain and drift (readable by every instance). Fed by the agent events (LiveRuntime.attach).
 * Written when they change, when the last written one is not newer than the last report (hello or
 * ack), and every 30 s; at most once per second per director; never two writes at once.
 */
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { observedFromStats } from "../../lvs/deployPlan.ts";
import type { StatsSnapshot } from "../../lvs/model.ts";
import type { AgentEvent } from "../realtime/agentEvents.ts";

export class ObservedWriter {
  private readonly written = new Map<string, { text: string; at: number; writing: boolean }>();
  /** when each director last reported its table: an observation must be newer to count (drain, drift) */
  private readonly reportedAt = new Map<string, number>();

  constructor(private readonly prisma: PrismaClient, private readonly now: () => number) {}

  onAgentEvent(e: AgentEvent): void {
    const id = e.director.id;
    if (e.type === "hello" || e.type === "applied") this.reportedAt.set(id, e.at);
    else if (e.type === "stats") this.record(id, e.snapshot);
    else if (e.type === "gone") this.written.delete(id);
  }

  private record(directorId: string, snapshot: StatsSnapshot): void {
    const observed = observedFromStats(snapshot);
    const text = JSON.stringify(observed.services);
    const last = this.written.get(directorId);
    // the control plane's clock, comparable with reportedAt (the agent's clock may be skewed)
    const now = this.now();
    const stale = !last || last.at <= (this.reportedAt.get(directorId) ?? 0) || now - last.at >= 30_000;
    if (last && (last.writing || (last.text === text && !stale) || now - last.at < 1000)) return;
    const entry = { text, at: now, writing: true };
    this.written.set(directorId, entry);
    void this.prisma.director.updateMany({ where: { id: directorId }, data: { observed: observed as object, observedAt: new Date(now) } })
      .catch(() => { entry.text = ""; })
      .finally(() => { entry.writing = false; });
  }
}
