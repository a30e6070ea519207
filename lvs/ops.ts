/**
 * Table operations, one per ipvsadm command (-A -E -D -a -e -d -C), and `applyOps`: a pure simulator
 * of what the kernel does with them, with the kernel's own error texts (libipvs ipvs_strerror).
 * Ops carry full fields because ipvsadm sends full structures: an `-e` without `-w` sets weight 1,
 * an `-E` without `-p` clears persistence.
 */
import { canonicalDestination, canonicalService } from "./canonical.ts";
import { LvsError } from "./errors.ts";
import type { IpvsDestination, IpvsService, IpvsServiceKey, IpvsTable } from "./model.ts";
import { describeServiceKey, destinationKeyString, serviceKeyOf, serviceKeyString } from "./tableKey.ts";
import { formatAddressPort } from "./address.ts";

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
  | { kind: "clear"; dropsConnections: true };

export type OpKind = Op["kind"];

export function serviceSpecOf(s: IpvsService): ServiceSpec {
  const { destinations: _d, ...spec } = s;
  return spec as ServiceSpec;
}

/** One op applied to a table (returns a new table; throws LvsError with the kernel's message). */
export function applyOp(table: IpvsTable, op: Op): IpvsTable {
  if (op.kind === "clear") return { services: [] };
  const key = serviceKeyString(op.service);
  const idx = table.services.findIndex((s) => serviceKeyString(s) === key);
  const existing = idx >= 0 ? table.services[idx] : undefined;
  const replace = (svc: IpvsService | null): IpvsTable => ({
    services: svc === null ? table.services.filter((_, i) => i !== idx) : table.services.map((s, i) => (i === idx ? svc : s)),
  });
  const where = describeServiceKey(op.service);

  switch (op.kind) {
    case "add-service": {
      if (existing) throw new LvsError("service_exists", `Service already exists (${where})`);
      const svc = canonicalService({ ...op.service, destinations: [] });
      return { services: [...table.services, svc] };
    }
    case "edit-service": {
      if (!existing) throw new LvsError("no_such_service", `No such service (${where})`);
      const svc = canonicalService({ ...op.service, destinations: [] });
      return replace({ ...svc, destinations: existing.destinations });
    }
    case "delete-service":
      if (!existing) throw new LvsError("no_such_service", `No such service (${where})`);
      return replace(null);
    default:
      break;
  }
  if (!existing) throw new LvsError("no_such_service", `Service not defined (${where})`);
  const dest =
    op.kind === "delete-destination"
      ? op.destination
      : canonicalDestination(existing, op.destination);
  const dkey = destinationKeyString(dest);
  const didx = existing.destinations.findIndex((d) => destinationKeyString(d) === dkey);
  const dwhere = `${formatAddressPort(dest.address, dest.port)} in ${where}`;
  switch (op.kind) {
    case "add-destination":
      if (didx >= 0) throw new LvsError("destination_exists", `Destination already exists (${dwhere})`);
      if (op.destination.lowerThreshold > op.destination.upperThreshold) {
        throw new LvsError("invalid_value", `Numerical result out of range (-y ${op.destination.lowerThreshold} > -x ${op.destination.upperThreshold}, ${dwhere})`);
      }
      return replace({ ...existing, destinations: [...existing.destinations, dest as IpvsDestination] });
    case "edit-destination":
      if (didx < 0) throw new LvsError("no_such_destination", `No such destination (${dwhere})`);
      if (op.destination.lowerThreshold > op.destination.upperThreshold) {
        throw new LvsError("invalid_value", `Numerical result out of range (-y ${op.destination.lowerThreshold} > -x ${op.destination.upperThreshold}, ${dwhere})`);
      }
      return replace({ ...existing, destinations: existing.destinations.map((d, i) => (i === didx ? (dest as IpvsDestination) : d)) });
    case "delete-destination":
      if (didx < 0) throw new LvsError("no_such_destination", `No such destination (${dwhere})`);
      return replace({ ...existing, destinations: existing.destinations.filter((_, i) => i !== didx) });
  }
}

/** Apply ops in order, as `ipvsadm -R` would with a batch; stops at the first kernel error (throws). */
export function applyOps(table: IpvsTable, ops: readonly Op[]): IpvsTable {
  let t: IpvsTable = { services: table.services.map((s) => ({ ...s, destinations: s.destinations.slice() })) };
  for (const op of ops) t = applyOp(t, op);
  return t;
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
  deleteDestination: (service: IpvsServiceKey, destination: { address: string; port: number }): Op => ({
    kind: "delete-destination", service: serviceKeyOf(service), destination: { address: destination.address, port: destination.port }, dropsConnections: true,
  }),
};
