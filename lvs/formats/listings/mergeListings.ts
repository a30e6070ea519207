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

export function mergeListings(
  ln: ServiceListing, stats: StatsListing | null, rate: RateListing | null, at: number, persistent: PersistentConnListing | null = null,
): StatsSnapshot {
  const st = new Map((stats?.services ?? []).map((s) => [serviceKeyString(s.key), s]));
  const pc = new Map((persistent?.services ?? []).map((s) => [serviceKeyString(s.key), s]));
  const rt = new Map((rate?.services ?? []).map((s) => [serviceKeyString(s.key), s]));
  return {
    at,
    services: ln.services.map((s) => {
      const k = serviceKeyString(s.key);
      const ss = st.get(k);
      const rs = rt.get(k);
      const dKey = (d: { address: string; port: number }) => `${d.address}|${d.port}`;
      const sd = new Map((ss?.destinations ?? []).map((d) => [dKey(d), d]));
      const rd = new Map((rs?.destinations ?? []).map((d) => [dKey(d), d]));
      const pd = new Map((pc.get(k)?.destinations ?? []).map((d) => [dKey(d), d]));
      return {
        key: s.key,
        counters: { ...(ss?.counters ?? ZERO_COUNTERS) },
        rates: { ...(rs?.rates ?? ZERO_RATES) },
        destinations: s.destinations.map((d) => ({
          address: d.address,
          port: d.port,
          weight: d.weight,
          activeConns: d.activeConns,
          inactConns: d.inactConns,
          persistConns: pd.get(dKey(d))?.persistConns ?? 0,
          counters: { ...(sd.get(dKey(d))?.counters ?? ZERO_COUNTERS) },
          rates: { ...(rd.get(dKey(d))?.rates ?? ZERO_RATES) },
        })),
      };
    }),
  };
}
