/** Small tables and messages for agent tests. */
import type { DesiredMessage, HealthTarget } from "../../lvs/protocol/agent.ts";
import type { HealthCheck, IpvsDestination, IpvsService, IpvsTable } from "../../lvs/model.ts";

export function dest(address: string, port: number, weight = 1, method: IpvsDestination["method"] = "nat"): IpvsDestination {
  return { address, port, method, weight, upperThreshold: 0, lowerThreshold: 0, tunnel: null };
}

export function tcpService(address: string, port: number, destinations: IpvsDestination[], scheduler = "rr"): IpvsService {
  return { protocol: "tcp", family: "inet", address, port, scheduler, flags: [], persistence: null, persistenceEngine: null, onePacket: false, destinations };
}

export function tcpCheck(over: Partial<HealthCheck> = {}): HealthCheck {
  return { kind: "tcp", port: null, intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 2, onFailure: "quiesce", ...over } as HealthCheck;
}

export function targetsFor(table: IpvsTable, check: HealthCheck): HealthTarget[] {
  return table.services.flatMap((s) => s.destinations.map((d) => ({
    service: s.protocol === "fwmark" ? { protocol: "fwmark" as const, family: s.family, fwmark: s.fwmark } : { protocol: s.protocol, family: s.family, address: s.address, port: s.port },
    destination: { address: d.address, port: d.port },
    check, realServerId: null, serviceId: null,
  })));
}

export function desired(revision: number, table: IpvsTable, targets: HealthTarget[] = [], sorryServers: DesiredMessage["health"]["sorryServers"] = []): DesiredMessage {
  return { v: 1, type: "desired", revision, table, health: { targets, sorryServers }, options: { statsIntervalMs: 1000 } };
}
