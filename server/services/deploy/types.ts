/** Shapes shared by the deploy (plan / apply / rollout / drift / drain) services and the UI. */
import type { Database } from "../../db/openDatabase.ts";
import type { EventBus } from "../../events/EventBus.ts";
import type { Logger } from "../../log.ts";
import type { AuditActor } from "../audit.ts";

export interface DeployDeps {
  db: Database;
  bus: EventBus;
  log: Logger;
  /** injected clock (ms since epoch) */
  now?: () => number;
}

export type RolloutKind = "apply" | "rollback" | "reapply" | "drain" | "enable";
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

export interface RolloutView {
  id: string;
  topologyId: string;
  revision: number;
  kind: RolloutKind;
  mode: RolloutMode;
  status: RolloutStatus;
  author: string | null;
  message: string;
  results: DirectorResult[];
  createdAt: Date;
  finishedAt: Date | null;
}

export type { AuditActor };
