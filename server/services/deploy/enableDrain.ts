/**
 * Re-enable after a drain: the drained memberships go back to "active" at the weight the drain
 * revision kept, at once or ramped up in steps (slow start, lvs/drain rampWeights), each step a
 * revision applied like any other (each rollout audited as deploy.enable when it ends). The call
 * itself is audited once (realServer.enable) when it ends, success or failure.
 */
import type { Prisma } from "../../../generated/prisma/client.ts";
import { rampWeights } from "../../../lvs/drain.ts";
import type { Topology } from "../../../lvs/model.ts";
import { auditError, recordAudit } from "../audit.ts";
import { loadRevisionDocument } from "../desiredState.ts";
import { refuse } from "../ServiceError.ts";
import { latestApplied, loadDrain, saveAndApply, view, type DrainRowStatus, type DrainView } from "./drainService.ts";
import type { AuditActor, DeployDeps } from "./types.ts";

/** the longest slow start the API accepts */
export const MAX_RAMP_MS = 3_600_000;

/** how long startEnable waits for a slow start's first state before it answers with the stored one */
export const FIRST_STATE_WAIT_MS = 30_000;

export interface RampOptions {
  steps: number;
  durationMs: number;
}

export interface EnableInput {
  drainId: string;
  ramp?: RampOptions;
  actor: AuditActor;
  sleep?: (ms: number) => Promise<void>;
  /** told every status the drain row takes ("ramping", then "enabled") */
  onStatus?: (drain: DrainView) => void;
}

/** Re-enables the drained memberships; resolves when the last step is applied. */
export async function enableDrain(deps: DeployDeps, input: EnableInput): Promise<DrainView> {
  const audit = { action: "realServer.enable", target: `drain:${input.drainId}` };
  let facts: Record<string, Prisma.InputJsonValue | null> = { drainId: input.drainId, ramp: (input.ramp ?? null) as Prisma.InputJsonValue | null };
  try {
    const row = await loadDrain(deps, input.drainId);
    audit.target = `topology:${row.topologyId}`;
    facts = { ...facts, label: row.label };
    const enabled = await runEnable(deps, input, row);
    await recordAudit(deps.db, input.actor, { ...audit, outcome: "success", diff: facts });
    return enabled;
  } catch (err) {
    await recordAudit(deps.db, input.actor, { ...audit, outcome: "failure", diff: { ...facts, ...auditError(err) } });
    throw err;
  }
}

async function runEnable(deps: DeployDeps, input: EnableInput, row: Awaited<ReturnType<typeof loadDrain>>): Promise<DrainView> {
  const sleep = input.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = (deps.now ?? Date.now)();
  // a slow start runs in the instance that started it; one "ramping" for longer than any ramp was interrupted
  const staleRamp = row.status === "ramping" && now - row.since.getTime() > MAX_RAMP_MS + 60_000;
  if (row.status === "enabled" || (row.status === "ramping" && !staleRamp)) throw refuse("CONFLICT", "drain.already", { status: row.status });
  const { current } = await latestApplied(deps, row.topologyId);
  const keys = new Set(row.membershipKeys);
  // the weights to restore: as the drain revision kept them (a ramp changes them in later revisions)
  const drained = await loadRevisionDocument(deps.db.prisma, row.topologyId, row.revision);
  const source = (drained ?? current.document).memberships.filter((m) => keys.has(m.id));
  const target = new Map(source.filter((m) => current.document.memberships.some((c) => c.id === m.id)).map((m) => [m.id, m.weight]));
  const schedules = [...target].map(([id, w]) => ({ id, steps: input.ramp ? rampWeights(w, input.ramp.steps, input.ramp.durationMs) : [{ offsetMs: 0, weight: w }] }));
  const offsets = [...new Set(schedules.flatMap((s) => s.steps.map((x) => x.offsetMs)))].sort((a, b) => a - b);
  const setStatus = async (status: DrainRowStatus) => {
    const now = (deps.now ?? Date.now)();
    const u = view(await deps.db.prisma.drain.update({ where: { id: row.id }, data: { status, since: new Date(now) } }));
    await deps.bus.publish("drain.changed", { topologyId: row.topologyId, drainId: row.id, status, at: now });
    input.onStatus?.(u);
    return u;
  };
  if (offsets.length > 1) await setStatus("ramping");
  const t0 = Date.now();
  for (const [i, offset] of offsets.entries()) {
    if (i > 0) await sleep(Math.max(0, offset - (Date.now() - t0)));
    const latest = (await latestApplied(deps, row.topologyId)).current.document;
    const weightAt = (id: string) => [...schedules.find((s) => s.id === id)!.steps].reverse().find((x) => x.offsetMs <= offset)!.weight;
    const last = i === offsets.length - 1;
    const next: Topology = {
      ...latest,
      memberships: latest.memberships.map((m) => (target.has(m.id) ? { ...m, state: "active", weight: last ? target.get(m.id)! : weightAt(m.id) } : m)),
    };
    const step = offsets.length > 1 ? ` (slow start ${i + 1}/${offsets.length})` : "";
    const r = await saveAndApply(deps, row.topologyId, next, { message: `enable ${row.label}${step}`, kind: "enable", actor: input.actor });
    await r.done;
  }
  return setStatus("enabled");
}

/**
 * For the API: starts the re-enable and answers with its first state change ("ramping" for a slow
 * start, else "enabled") without waiting for the whole ramp; a refusal before it is thrown. If no
 * state change comes within `firstWithinMs`, answers with the stored drain row. `done` is the end.
 */
export async function startEnable(deps: DeployDeps, input: Omit<EnableInput, "onStatus">, firstWithinMs = FIRST_STATE_WAIT_MS): Promise<{ drain: DrainView; done: Promise<DrainView> }> {
  let first!: (d: DrainView) => void;
  const firstState = new Promise<DrainView>((resolve) => (first = resolve));
  const done = enableDrain(deps, { ...input, onStatus: (d) => first(d) });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), firstWithinMs)));
  try {
    const drain = await Promise.race([firstState, done, late]);
    return { drain: drain ?? view(await loadDrain(deps, input.drainId)), done };
  } finally {
    clearTimeout(timer);
  }
}
