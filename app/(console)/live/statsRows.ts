/**
 * Rows of the per-director statistics table, laid out like `ipvsadm -Ln --stats` / `--rate`: each
 * virtual service followed by its real servers. Default order is ipvsadm's; sorting by a column
 * orders the services by it and the real servers inside each service by it (grouping is kept).
 * Also the exact ipvsadm text of the same figures (renderStats / renderRate). Pure.
 */
import { renderRate, renderStats } from "@/lvs/formats/listings/stats.ts";
import type { DestinationStats, Topology } from "@/lvs/model.ts";
import { destinationOf, zeroFigures } from "@/lvs/stats/topologyStats.ts";
import { compareDestinationsIpvs, compareServicesIpvs, ipvsadmSort } from "@/lvs/ipvsadmOrder.ts";
import { describeServiceKey, parseServiceKeyString, serviceKeyOfVirtualService, serviceKeyString } from "@/lvs/tableKey.ts";
import type { ServiceState } from "../_live/liveState.ts";

export const STATS_COLUMNS = ["conns", "inPkts", "outPkts", "inBytes", "outBytes"] as const;
export const RATE_COLUMNS = ["cps", "inPps", "outPps", "inBps", "outBps"] as const;
export const CONN_COLUMNS = ["weight", "activeConns", "inactConns"] as const;
export type StatsMode = "stats" | "rate";
export type SortColumn = "name" | (typeof STATS_COLUMNS)[number] | (typeof RATE_COLUMNS)[number] | (typeof CONN_COLUMNS)[number];
export interface Sort {
  column: SortColumn;
  descending: boolean;
}

export interface StatsRow {
  kind: "service" | "destination";
  /** service: serviceKeyString; destination: serviceKeyString + "/" + "address|port" */
  id: string;
  serviceKey: string;
  /** "TCP  127.0.10.1:80" or "127.0.20.1:8080" */
  name: string;
  values: Record<Exclude<SortColumn, "name">, number | null>;
}

function destValues(d: DestinationStats): StatsRow["values"] {
  return { ...d.counters, ...d.rates, weight: d.weight, activeConns: d.activeConns, inactConns: d.inactConns };
}

const destName = (d: Pick<DestinationStats, "address" | "port">) => (d.address.includes(":") ? `[${d.address}]:${d.port}` : `${d.address}:${d.port}`);

export function statsRows(services: Iterable<ServiceState>, sort: Sort | null = null): StatsRow[] {
  const parsed = [...services].flatMap((s) => {
    const key = parseServiceKeyString(s.key);
    return key ? [{ s, key }] : [];
  });
  const groups = parsed.map(({ s, key }) => {
    const dests = [...s.destinations.values()];
    let active = 0;
    let inact = 0;
    for (const d of dests) {
      active += d.activeConns;
      inact += d.inactConns;
    }
    const row: StatsRow = {
      kind: "service", id: s.key, serviceKey: s.key, name: describeServiceKey(key),
      values: { ...s.counters, ...s.rates, weight: null, activeConns: active, inactConns: inact },
    };
    return { key, row, dests };
  });
  const cmpValue = (a: StatsRow, b: StatsRow): number => {
    if (!sort) return 0;
    const sign = sort.descending ? -1 : 1;
    if (sort.column === "name") return sign * a.name.localeCompare(b.name, "en", { numeric: true });
    return sign * ((a.values[sort.column] ?? -1) - (b.values[sort.column] ?? -1));
  };
  const ordered = sort
    ? [...groups].sort((a, b) => cmpValue(a.row, b.row) || compareServicesIpvs(a.key, b.key))
    : ipvsadmSort(groups, (a, b) => compareServicesIpvs(a.key, b.key));
  const out: StatsRow[] = [];
  for (const g of ordered) {
    out.push(g.row);
    const drows = g.dests.map((d) => ({ d, row: { kind: "destination" as const, id: `${g.row.id}/${d.address}|${d.port}`, serviceKey: g.row.id, name: destName(d), values: destValues(d) } }));
    const dsorted = sort
      ? drows.sort((a, b) => cmpValue(a.row, b.row) || compareDestinationsIpvs(a.d, b.d))
      : ipvsadmSort(drows, (a, b) => compareDestinationsIpvs(a.d, b.d));
    out.push(...dsorted.map((x) => x.row));
  }
  return out;
}

/** The same figures as ipvsadm prints them (`-Ln --stats` or `-Ln --rate`, `--exact` optional). */
export function ipvsadmText(services: Iterable<ServiceState>, mode: StatsMode, exact: boolean): string {
  const list = [...services].flatMap((s) => {
    const key = parseServiceKeyString(s.key);
    return key ? [{ s, key }] : [];
  });
  const sorted = ipvsadmSort(list, (a, b) => compareServicesIpvs(a.key, b.key)).map(({ s, key }) => ({
    key, counters: s.counters, rates: s.rates,
    destinations: ipvsadmSort([...s.destinations.values()], compareDestinationsIpvs),
  }));
  return mode === "stats"
    ? renderStats({ services: sorted }, { exact, version: null })
    : renderRate({ services: sorted }, { exact, version: null });
}

/**
 * What the director should run according to the document (zero figures): the series to chart when
 * it reports nothing (offline), so its history stays reachable.
 */
export function plannedServices(topology: Topology, directorKey: string): ServiceState[] {
  const rs = new Map(topology.realServers.map((r) => [r.id, r]));
  const out: ServiceState[] = [];
  for (const vs of topology.services) {
    const key = vs.directorIds.includes(directorKey) ? serviceKeyOfVirtualService(vs) : null;
    if (!key) continue;
    const zero = zeroFigures();
    const destinations: ServiceState["destinations"] = new Map();
    for (const m of topology.memberships) {
      const r = rs.get(m.realServerId);
      const d = m.serviceId === vs.id && m.state !== "disabled" && r ? destinationOf(vs, r, m) : null;
      if (d) destinations.set(`${d.address}|${d.port}`, { ...d, ...zeroFigures(), weight: 0 });
    }
    out.push({ key: serviceKeyString(key), counters: zero.counters, rates: zero.rates, destinations });
  }
  return out;
}
