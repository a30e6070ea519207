/**
 * Combines `ipvsadm -Ln`, `-Ln --stats` and `-Ln --rate` (parsed) into one StatsSnapshot.
 * Services and destinations follow the -Ln listing; missing stats/rates count as zero.
 * persistConns comes from `ipvsadm -Ln --persistent-conn` when given, else 0.
 */
import type { Counters, Rates, StatsSnapshot } from "../../model.ts";
import { serviceKeyString } from "../../tableKey.ts";
import type { PersistentConnListing, ServiceListing } from "./list.ts";
import type { RateListing, StatsListing } from "./stats.ts";

const ZERO_COUNTERS: Counters = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
const ZERO_RATES: Rates = { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };

type Keyed = { address: string; port: number };

/**
 * `find(d, i)`: the entry of `list` for destination `d` at position `i` of the -Ln service. The
 * listings come from the same table in the same order, so position i almost always is it (checked);
 * otherwise a map by address|port, built once per service and only then.
 */
function matcher<T extends Keyed>(list: readonly T[] | undefined): (d: Keyed, i: number) => T | undefined {
  if (!list) return () => undefined;
  let byKey: Map<string, T> | null = null;
  return (d, i) => {
    const at = list[i];
    if (at && at.port === d.port && at.address === d.address) return at;
    byKey ??= new Map(list.map((x) => [`${x.address}|${x.port}`, x]));
    return byKey.get(`${d.address}|${d.port}`);
  };
}

export function mergeListings(
  ln: ServiceListing, stats: StatsListing | null, rate: RateListing | null, at: number, persistent: PersistentConnListing | null = null,
): StatsSnapshot {
  const st = new Map((stats?.services ?? []).map((s) => [serviceKeyString(s.key), s]));
  const pc = new Map((persistent?.services ?? []).map((s) => [serviceKeyString(s.key), s]));
  const rt = new Map((rate?.services ?? []).map((s) => [serviceKeyString(s.key), s]));
  const services: StatsSnapshot["services"] = [];
  for (const s of ln.services) {
    const k = serviceKeyString(s.key);
    const ss = st.get(k);
    const rs = rt.get(k);
    const sd = matcher(ss?.destinations);
    const rd = matcher(rs?.destinations);
    const pd = matcher(pc.get(k)?.destinations);
    const destinations: StatsSnapshot["services"][number]["destinations"] = [];
    for (let i = 0; i < s.destinations.length; i++) {
      const d = s.destinations[i]!;
      destinations.push({
        address: d.address,
        port: d.port,
        weight: d.weight,
        activeConns: d.activeConns,
        inactConns: d.inactConns,
        persistConns: pd(d, i)?.persistConns ?? 0,
        counters: { ...(sd(d, i)?.counters ?? ZERO_COUNTERS) },
        rates: { ...(rd(d, i)?.rates ?? ZERO_RATES) },
      });
    }
    services.push({ key: s.key, counters: { ...(ss?.counters ?? ZERO_COUNTERS) }, rates: { ...(rs?.rates ?? ZERO_RATES) }, destinations });
  }
  return { at, services };
}
