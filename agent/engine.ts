/**
 * The forwarding engine behind the agent: kernel IPVS through ipvsadm, or the userspace engine.
 * The agent reconciles a desired IpvsTable through `apply`; everything else reads.
 * Implementations: engines/ipvs/, engines/userspace/, and a fake for unit tests.
 */
import type { ConnectionEntry, IpvsServiceKey, IpvsTable, StatsSnapshot } from "../lvs/model.ts";
import type { StatsColumns } from "../lvs/stats/statsColumns.ts";
import type { ServedFields } from "../lvs/stats/statsFields.ts";

export type EngineKindName = "ipvs" | "userspace" | "fake";

/** One operation the engine ran (an ipvsadm line for ipvs; a listener/destination change for userspace). */
export interface AppliedOp {
  /** e.g. "-A -t 10.0.0.1:80 -s wlc" or "listen tcp 127.0.10.1:80" */
  op: string;
  ok: boolean;
  error?: string;
}

export interface EngineNote {
  /** "emulated": DR/TUN proxied by userspace; "unsupported": e.g. fwmark on userspace; "unmanaged": kernel service not in the desired table;
   *  "awaiting-address": the VIP is not on this host yet (VRRP BACKUP): the userspace engine binds when it appears */
  kind: "emulated" | "unsupported" | "unmanaged" | "awaiting-address";
  service: IpvsServiceKey;
  message: string;
}

export interface ApplyResult {
  /** true when the engine's actual table now equals the desired one (verified by reading back) */
  ok: boolean;
  ops: AppliedOp[];
  notes: EngineNote[];
  /** the table read back after applying, when the engine read it anyway (saves the caller a read()) */
  actual?: IpvsTable;
}

export interface ConnectionPage {
  offset: number;
  limit: number;
  /** substring filters, matched against "addr:port" text */
  client?: string;
  virtual?: string;
  destination?: string;
}

export interface ConnectionList {
  total: number;
  entries: ConnectionEntry[];
}

export interface ForwardingEngine {
  readonly kind: EngineKindName;
  /** Reconcile to `desired` without dropping established connections; never flush. */
  apply(desired: IpvsTable): Promise<ApplyResult>;
  /** The table the engine actually runs now. */
  read(): Promise<IpvsTable>;
  /** Counters, rates, ActiveConn/InActConn per service and destination. */
  stats(): Promise<StatsSnapshot>;
  /**
   * The same figures in columns (lvs/stats/statsColumns.ts), updated in place each call, for the
   * stats.fields frames; engines without it are read through stats() (agent.ts).
   */
  statsColumns?(): Promise<StatsColumns>;
  /**
   * stats.fields differences already encoded by the engine's helper (lvs/stats/statsFields.ts
   * ServedFields), forwarded as they are; `full` = every service whole. null = not available now
   * (then statsColumns / stats).
   */
  statsServed?(full: boolean): Promise<ServedFields | null>;
  connections(page: ConnectionPage): Promise<ConnectionList>;
  /**
   * `ipvsadm -Z [service]`: zero the counters (and the rate estimates) of one service and its real
   * servers, or of every service (null). Throws "No such service" for a service the engine does not run.
   */
  zero(service: IpvsServiceKey | null): Promise<void>;
  /** Stop forwarding that this process owns (userspace); leaves kernel rules in place (ipvs). */
  close(): Promise<void>;
}
