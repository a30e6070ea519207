/** The API shape of a Rollout row, and the two queries that read rollouts. */
import { refuse } from "../ServiceError.ts";
import type { DeployDeps, DirectorResult, RolloutKind, RolloutMode, RolloutStatus, RolloutView } from "./types.ts";

export const DEFAULT_WAIT_MS = 15_000;

/**
 * Slack on top of the waits before a rollout still marked running is called interrupted: its instance
 * stopped (with several instances, a browser on another instance sees the failure this long after the
 * rollout's last possible end).
 */
const INTERRUPTED_AFTER_MS = 20_000;

/**
 * The API shape of a Rollout row. A rollout runs inside the instance that started it; if that
 * instance stopped, the row stays "running": once `now` is past its last possible end (one wait per
 * director, plus slack) it is shown as failed, its unfinished directors as interrupted.
 */
export function rolloutView(row: {
  id: string; topologyId: string; revision: number; kind: string; mode: string; status: string; author: string | null;
  message: string; results: unknown; createdAt: Date; finishedAt: Date | null; waitMs?: number;
}, now: number = Date.now()): RolloutView {
  const { waitMs, ...rest } = row;
  const view: RolloutView = {
    ...rest, kind: row.kind as RolloutKind, mode: row.mode as RolloutMode, status: row.status as RolloutStatus,
    results: row.results as DirectorResult[],
  };
  const end = row.createdAt.getTime() + (waitMs ?? DEFAULT_WAIT_MS) * Math.max(1, view.results.length) + INTERRUPTED_AFTER_MS;
  if (view.status === "running" && now > end) {
    view.status = "failed";
    view.results = view.results.map((r) => (r.status === "waiting" || r.status === "applying" ? { ...r, status: "timeout", message: "interrupted: the control plane instance running this rollout stopped" } : r));
  }
  return view;
}


export async function getRollout(deps: DeployDeps, id: string): Promise<RolloutView> {
  const row = await deps.db.prisma.rollout.findUnique({ where: { id } });
  if (!row) throw refuse("NOT_FOUND", "deploy.no-rollout", { id });
  return rolloutView(row, (deps.now ?? Date.now)());
}

/** the latest rollouts of a topology, newest first */
export async function listRollouts(deps: DeployDeps, topologyId: string, limit = 20): Promise<RolloutView[]> {
  const rows = await deps.db.prisma.rollout.findMany({ where: { topologyId }, orderBy: { createdAt: "desc" }, take: limit });
  const now = (deps.now ?? Date.now)();
  return rows.map((r) => rolloutView(r, now));
}
