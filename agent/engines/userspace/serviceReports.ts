/** Read-only views of the userspace engine's services: stats, connect failures, connection listing. */
import type { ConnectionEntry, IpvsServiceKey, StatsSnapshot } from "../../../lvs/model.ts";
import type { ConnectionTable } from "./connectionTable.ts";
import type { RuntimeService } from "./runtime.ts";

export interface ConnectFailures {
  service: IpvsServiceKey;
  total: number;
  destinations: { address: string; port: number; failures: number }[];
}

export function statsOf(services: Iterable<RuntimeService>, at: number): StatsSnapshot {
  return {
    at,
    services: [...services].map((svc) => ({
      key: svc.key,
      counters: svc.counters(),
      rates: svc.estimator.rates(),
      destinations: [...svc.dests].reverse().map((d) => ({
        address: d.address,
        port: d.port,
        weight: d.weight,
        activeConns: d.activeConns,
        inactConns: d.inactConns,
        persistConns: d.persistConns,
        counters: d.counters(),
        rates: d.estimator.rates(),
      })),
    })),
  };
}

/** Connect failures towards real servers, per service (not part of IPVS's counters). */
export function connectFailuresOf(services: Iterable<RuntimeService>): ConnectFailures[] {
  return [...services].map((svc) => ({
    service: svc.key,
    total: svc.failures,
    destinations: [...svc.dests].reverse().map((d) => ({ address: d.address, port: d.port, failures: d.failures })),
  }));
}

/** Persistence templates first (like ipvsadm -Lc), then the connection table. */
export function* connectionEntries(services: Iterable<RuntimeService>, table: ConnectionTable, now: number): Iterable<ConnectionEntry> {
  for (const svc of services) {
    if (!svc.templates) continue;
    for (const t of svc.templates.byClient.values()) {
      yield {
        protocol: svc.key.protocol,
        client: { address: t.clientAddress, port: 0 },
        virtual: { address: svc.key.address, port: svc.key.port },
        destination: { address: t.dest.address, port: t.dest.port },
        state: t.assured ? "ASSURED" : "NONE",
        expiresIn: Math.max(0, Math.ceil((t.expires - now) / 1000)),
      };
    }
  }
  for (const e of table.all()) yield table.entry(e, now);
}
