/** Shapes shared by the deploy (plan / apply / rollout / drift / drain) services and the UI. */
import type { Database } from "../../db/openDatabase.ts";
import type { EventBus } from "../../events/EventBus.ts";
import type { Logger } from "../../log.ts";
import type { AuditActor } from "../audit.ts";
import type { DirectorResult, RolloutMode, RolloutStatus } from "../../../lvs/rollout.ts";

export interface DeployDeps {
  db: Database;
  bus: EventBus;
  log: Logger;
  /** injected clock (ms since epoch) */
  now?: () => number;
}

export type RolloutKind = "apply" | "rollback" | "reapply" | "drain" | "enable";
export type { DirectorOutcome, DirectorResult, OpError, RolloutMode, RolloutStatus } from "../../../lvs/rollout.ts";

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
