/**
 * The rollout state machine: which directors a rollout attempts next and what each attempt ended in,
 * as pure data. The control plane's runner (server/services/deploy/runRollout.ts) feeds it the
 * directors' rows, the agents' acknowledgements and its timers, and persists every state it returns.
 *
 *   let s = initialRollout({ revision: 7, mode: "sequential", waitMs: 15000, force: false, results });
 *   for (let ids = nextBatch(s); ids.length; ids = nextBatch(s)) {
 *     s = stepRollout(s, { type: "attempt", directors: rowsOf(ids), at });   // pending / offline / already applied / applying
 *     ... stepRollout(s, { type: "ack", ... }) or { type: "timeout", ... } for each awaitingAck(s)
 *   }
 *   s = stepRollout(s, { type: "end" });                                      // skipped rest, final status
 *
 * Sequential mode stops at the first director that is not applied (the others are "skipped");
 * parallel mode, and waitMs 0 (only set the targets), attempt everyone at once.
 */

export type RolloutMode = "sequential" | "parallel";
export type RolloutStatus = "running" | "succeeded" | "failed" | "pending";

/**
 * One director's part of a rollout.
 *  waiting  not started yet          applying  target set, waiting for the agent's ack
 *  applied  the agent runs it        failed    the agent refused it or some operations failed
 *  timeout  no ack in time           offline   no agent connected: it gets the revision when it connects
 *  skipped  not attempted (an earlier director failed, or not enrolled)
 *  pending  target set, not waited for (waitMs 0)
 */
export type DirectorOutcome = "waiting" | "applying" | "applied" | "failed" | "timeout" | "offline" | "skipped" | "pending";

export interface OpError {
  op: string;
  error: string;
}

export interface DirectorResult {
  directorId: string;
  key: string;
  name: string;
  status: DirectorOutcome;
  /** the revision the agent runs after this attempt (from its ack), null if unknown */
  appliedRevision: number | null;
  message: string | null;
  /** per-operation errors from the agent's ack */
  errors: OpError[];
  startedAt: number | null;
  finishedAt: number | null;
}

export interface RolloutState {
  revision: number;
  mode: RolloutMode;
  /** ms to wait for each ack; 0 = only set the targets */
  waitMs: number;
  /** resend even to directors that already run the revision */
  force: boolean;
  status: RolloutStatus;
  results: DirectorResult[];
}

/** What the control plane knows of a director when its attempt starts. */
export interface DirectorSnapshot {
  id: string;
  online: boolean;
  targetRevision: number | null;
  appliedRevision: number | null;
}

export type RolloutEvent =
  /** the batch nextBatch() named starts: `directors` are their rows (a missing row counts as offline) */
  | { type: "attempt"; ids: string[]; directors: DirectorSnapshot[]; at: number }
  /** the agent acknowledged the revision */
  | { type: "ack"; directorId: string; ok: boolean; revision: number; message: string | null; errors?: OpError[]; at: number }
  /** no acknowledgement within waitMs */
  | { type: "timeout"; directorId: string; at: number }
  /** the revision each director of the batch reports after its attempt (read back for the ones not applied) */
  | { type: "readBack"; applied: Record<string, number | null> }
  /** the runner itself failed (database down...): every unfinished director fails with the message */
  | { type: "crash"; message: string }
  /** no batch left: the rest is skipped, the final status is set */
  | { type: "end" };

export function initialRollout(s: Omit<RolloutState, "status">): RolloutState {
  return { ...s, status: s.waitMs === 0 ? "pending" : "running", results: s.results.map((r) => ({ ...r })) };
}

const settled = (r: DirectorResult) => r.status === "applied" || r.status === "pending";

/** The director ids to attempt next ([] when the rollout is over). */
export function nextBatch(s: RolloutState): string[] {
  if (s.status !== "running" && s.status !== "pending") return [];
  if (s.results.some((r) => r.status === "applying")) return [];
  const waiting = s.results.filter((r) => r.status === "waiting");
  if (s.mode === "parallel" || s.waitMs === 0) return waiting.map((r) => r.directorId);
  const attempted = s.results.filter((r) => r.status !== "waiting" && r.status !== "skipped" && r.startedAt !== null);
  if (attempted.some((r) => !settled(r))) return [];
  return waiting.slice(0, 1).map((r) => r.directorId);
}

/** Directors whose attempt waits for an acknowledgement (the runner arms a timer for each). */
export function awaitingAck(s: RolloutState): string[] {
  return s.results.filter((r) => r.status === "applying").map((r) => r.directorId);
}

function update(s: RolloutState, directorId: string, f: (r: DirectorResult) => DirectorResult | null): RolloutState {
  let changed = false;
  const results = s.results.map((r) => {
    if (r.directorId !== directorId) return r;
    const next = f(r);
    if (!next) return r;
    changed = true;
    return next;
  });
  return changed ? { ...s, results } : s;
}

function attempt(s: RolloutState, r: DirectorResult, d: DirectorSnapshot | undefined, at: number): DirectorResult {
  const started = { ...r, startedAt: at };
  const done = (status: DirectorOutcome, message: string | null, extra: Partial<DirectorResult> = {}): DirectorResult => ({ ...started, ...extra, status, message, finishedAt: at });
  if (s.waitMs === 0) return done("pending", null);
  if (!d?.online) return done("offline", "no agent connected: it gets this revision when it connects");
  if (!s.force && d.targetRevision === s.revision && d.appliedRevision === s.revision) return done("applied", "already running this revision", { appliedRevision: s.revision });
  return { ...started, status: "applying" };
}

export function stepRollout(s: RolloutState, e: RolloutEvent): RolloutState {
  switch (e.type) {
    case "attempt": {
      const ids = new Set(e.ids);
      const rows = new Map(e.directors.map((d) => [d.id, d]));
      return { ...s, results: s.results.map((r) => (ids.has(r.directorId) && r.status === "waiting" ? attempt(s, r, rows.get(r.directorId), e.at) : r)) };
    }
    case "ack":
      return update(s, e.directorId, (r) => (r.status !== "applying" ? null : {
        ...r, status: e.ok ? "applied" : "failed", message: e.message, errors: e.errors ?? [],
        appliedRevision: e.ok ? e.revision : r.appliedRevision, finishedAt: e.at,
      }));
    case "timeout":
      return update(s, e.directorId, (r) => (r.status !== "applying" ? null : { ...r, status: "timeout", message: `no acknowledgement within ${s.waitMs} ms`, finishedAt: e.at }));
    case "readBack":
      return { ...s, results: s.results.map((r) => (r.directorId in e.applied && r.status !== "applied" && r.startedAt !== null ? { ...r, appliedRevision: e.applied[r.directorId] ?? null } : r)) };
    case "crash":
      return {
        ...s, status: "failed",
        results: s.results.map((r) => (r.status === "waiting" || r.status === "applying" ? { ...r, status: "failed", message: e.message } : r)),
      };
    case "end": {
      if (s.status === "failed") return s;
      const stop = s.results.find((r) => r.startedAt !== null && !settled(r));
      const results = s.results.map((r) => (r.status === "waiting" ? { ...r, status: "skipped" as const, message: stop ? `not attempted: ${stop.name} ${stop.status}` : "not attempted" } : r));
      const status: RolloutStatus = s.waitMs === 0 ? "pending" : results.every(settled) ? "succeeded" : "failed";
      return { ...s, status, results };
    }
  }
}
