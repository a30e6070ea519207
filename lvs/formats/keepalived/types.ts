import type { HealthCheck, IpvsTable } from "../../model.ts";
import type { Diagnostic } from "./tokenize.ts";

/** What a virtual_server carries besides the IPVS table entry; index-aligned with table.services. */
export interface KeepalivedServiceMeta {
  /** default check for every real server of the service */
  healthCheck: HealthCheck | null;
  sorryServer: { address: string; port: number | null } | null;
  /** per destination (index-aligned with the service's destinations): overrides healthCheck when not null */
  destinationHealthChecks: (HealthCheck | null)[];
  /** where the virtual_server and each of its (index-aligned) real_server blocks start, when parsed */
  line?: number;
  destinationLines?: number[];
}

export interface KeepalivedVrrpInstance {
  name: string;
  state: "MASTER" | "BACKUP" | null;
  interface: string | null;
  virtualRouterId: number | null;
  priority: number | null;
  /** addresses without prefix / dev / label */
  virtualIpaddresses: string[];
  /** the prefix written after each address ("/24"), index-aligned with virtualIpaddresses; null = none */
  vipPrefixes?: (number | null)[];
  /** advert_int in ms (VRRPv3 allows centiseconds); null = keepalived's default (1 s) */
  advertIntMs?: number | null;
  version?: 2 | 3 | null;
  nopreempt?: boolean;
  unicastSrcIp?: string | null;
  unicastPeers?: string[];
  /** authentication { auth_type PASS; auth_pass X } (VRRPv2) */
  authPass?: string | null;
  /** IPVS connection sync for this instance (global_defs lvs_sync_daemon, or lvs_sync_daemon_interface) */
  syncInterface?: string | null;
  syncId?: number | null;
  /** where the block starts, when parsed */
  line?: number;
}

export interface ParsedKeepalived {
  table: IpvsTable;
  services: KeepalivedServiceMeta[];
  vrrpInstances: KeepalivedVrrpInstance[];
  /** lenient import: things ignored, defaulted or not representable */
  warnings: Diagnostic[];
  /** things that made a block unusable (it was skipped) */
  errors: Diagnostic[];
}

export type { Diagnostic };
