/** What an Agent is built from (agent.ts), and the revision it holds. */
import type { ForwardingEngine } from "./engine.ts";
import type { AgentLog } from "./log.ts";
import type { FailStatic } from "./failStatic.ts";
import type { Clock, Timers } from "./health/monitor.ts";
import type { CheckerRegistry } from "./health/checkers.ts";
import type { AgentIssue, HealthConfig } from "../lvs/protocol/agent.ts";
import type { IpvsTable } from "../lvs/model.ts";
import type { HaSupervisor } from "./ha/haSupervisor.ts";
import type { DesiredHa } from "../lvs/protocol/ha.ts";
import type { Observe } from "./prereqReporter.ts";

export interface AgentOptions {
  engine: ForwardingEngine;
  store: FailStatic;
  log: AgentLog;
  clock: Clock;
  timers: Timers;
  checkers: CheckerRegistry;
  /** LVS rules check of a desired table (lvs/validate validateTable); [] = acceptable */
  validate: (table: IpvsTable) => AgentIssue[];
  statsIntervalMs?: number;
  /** periodic re-reconcile (drift repair, retry of a failed revision); 0 = off; default 30 s */
  resyncIntervalMs?: number;
  /**
   * true: the periodic resync also puts back hand-made changes to managed services (enforcement).
   * false (default): they stay, and the statistics show them to the control plane as drift, where the
   * operator re-applies or imports the actual table; the periodic pass only retries a failed revision.
   */
  healDrift?: boolean;
  /** VRRP (keepalived) and IPVS connection sync; absent = this agent does no HA */
  ha?: HaSupervisor;
  /** how often HA status (process alive, sync daemons, connection count) is refreshed and sent; default 5 s */
  haStatusIntervalMs?: number;
  /** reads the host for the director's prerequisites (feature "prereq"); absent = not reported */
  observeHost?: Observe;
}

/** the desired revision in force (accepted, applied or not) */
export interface Current {
  revision: number;
  table: IpvsTable;
  health: HealthConfig;
  ha: DesiredHa | null;
}
