/**
 * The health-adjusted table the engine runs: failed real servers quiesced (weight 0) or removed per
 * their check's onFailure; when every real server of a service is down, its sorry server (if any)
 * is added with weight 1. Pure.
 */
import type { HealthConfig } from "../../lvs/protocol/agent.ts";
import { agentServiceKeyText, serviceKeyOf } from "../../lvs/tableKey.ts";
import type { IpvsDestination, IpvsTable } from "../../lvs/model.ts";
import { targetKey } from "./monitor.ts";

export function effectiveTable(table: IpvsTable, health: HealthConfig, isDown: (targetKey: string) => boolean): IpvsTable {
  const onFailure = new Map<string, "quiesce" | "remove">();
  for (const t of health.targets) if (t.check.kind !== "none") onFailure.set(targetKey(t), t.check.onFailure);
  const sorry = new Map(health.sorryServers.map((s) => [agentServiceKeyText(s.service), s]));

  return {
    // --set travels with the table: the health checks never change the timeouts
    ...(table.timeouts ? { timeouts: table.timeouts } : {}),
    services: table.services.map((svc) => {
      const key = serviceKeyOf(svc);
      const destinations: IpvsDestination[] = [];
      let anyUp = false;
      for (const d of svc.destinations) {
        const k = targetKey({ service: key, destination: d });
        const policy = onFailure.get(k);
        if (policy && isDown(k)) {
          if (policy === "quiesce") destinations.push({ ...d, weight: 0 });
        } else {
          destinations.push(d);
          anyUp = true;
        }
      }
      const s = sorry.get(agentServiceKeyText(key));
      if (!anyUp && s && svc.destinations.length > 0) {
        const method = svc.destinations[0]!.method;
        const port = method === "nat" ? s.port : svc.protocol === "fwmark" ? s.port : svc.port;
        const i = destinations.findIndex((d) => d.address === s.address && d.port === port);
        const sorryDest: IpvsDestination = {
          address: s.address, port, method, weight: 1, upperThreshold: 0, lowerThreshold: 0,
          tunnel: method === "tun" ? svc.destinations[0]!.tunnel : null,
        };
        if (i >= 0) destinations[i] = { ...destinations[i]!, weight: Math.max(1, destinations[i]!.weight) };
        else destinations.push(sorryDest);
      }
      return { ...svc, destinations };
    }),
  };
}
