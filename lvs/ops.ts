/**
 * Table operations, one per ipvsadm command (-A -E -D -a -e -d -C --set), and `applyOps`: a pure simulator
 * of what the kernel does with them, with the kernel's own error texts (libipvs ipvs_strerror).
 * Ops carry full fields because ipvsadm sends full structures: an `-e` without `-w` sets weight 1,
 * an `-E` without `-p` clears persistence.
 */
import type { IpvsDestination, IpvsService, IpvsServiceKey, IpvsTable, IpvsTimeouts } from "./model.ts";
import { TableBuilder } from "./tableBuilder.ts";
import { serviceKeyOf } from "./tableKey.ts";

/** A service without its destinations: what -A / -E carry. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type ServiceSpec = DistributiveOmit<IpvsService, "destinations">;

export type Op =
  | { kind: "add-service"; service: ServiceSpec; dropsConnections: false }
  /** `previous`: what the service was (plan() fills it in, for describeOp) */
  | { kind: "edit-service"; service: ServiceSpec; dropsConnections: false; previous?: ServiceSpec }
  | { kind: "delete-service"; service: IpvsServiceKey; dropsConnections: true }
  | { kind: "add-destination"; service: IpvsServiceKey; destination: IpvsDestination; dropsConnections: false }
  | { kind: "edit-destination"; service: IpvsServiceKey; destination: IpvsDestination; dropsConnections: false; previous?: IpvsDestination }
  | { kind: "delete-destination"; service: IpvsServiceKey; destination: { address: string; port: number }; dropsConnections: true }
  /** -C: only ever parsed from rules; plan() never emits it */
  | { kind: "clear"; dropsConnections: true }
  /** `--set tcp tcpfin udp` (0 = unchanged); new timeouts apply to connections as they are next refreshed */
  | { kind: "set-timeouts"; timeouts: IpvsTimeouts; dropsConnections: false; previous?: IpvsTimeouts };

export type OpKind = Op["kind"];

export function serviceSpecOf(s: IpvsService): ServiceSpec {
  const { destinations: _d, ...spec } = s;
  return spec as ServiceSpec;
}

/** One op applied to a table (returns a new table; throws LvsError with the kernel's message). O(table) for the copy: replay many ops with applyOps or a TableBuilder. */
export function applyOp(table: IpvsTable, op: Op): IpvsTable {
  const b = TableBuilder.from(table);
  b.apply(op);
  return b.toTable();
}

/** Apply ops in order, as `ipvsadm -R` would with a batch; stops at the first kernel error (throws). */
export function applyOps(table: IpvsTable, ops: readonly Op[]): IpvsTable {
  const b = TableBuilder.from(table);
  for (const o of ops) b.apply(o);
  return b.toTable();
}

export const op = {
  addService: (service: ServiceSpec): Op => ({ kind: "add-service", service, dropsConnections: false }),
  editService: (service: ServiceSpec): Op => ({ kind: "edit-service", service, dropsConnections: false }),
  deleteService: (service: IpvsServiceKey): Op => ({ kind: "delete-service", service: serviceKeyOf(service), dropsConnections: true }),
  addDestination: (service: IpvsServiceKey, destination: IpvsDestination): Op => ({
    kind: "add-destination", service: serviceKeyOf(service), destination, dropsConnections: false,
  }),
  editDestination: (service: IpvsServiceKey, destination: IpvsDestination): Op => ({
    kind: "edit-destination", service: serviceKeyOf(service), destination, dropsConnections: false,
  }),
  setTimeouts: (timeouts: IpvsTimeouts): Op => ({ kind: "set-timeouts", timeouts: { ...timeouts }, dropsConnections: false }),
  deleteDestination: (service: IpvsServiceKey, destination: { address: string; port: number }): Op => ({
    kind: "delete-destination", service: serviceKeyOf(service), destination: { address: destination.address, port: destination.port }, dropsConnections: true,
  }),
};
