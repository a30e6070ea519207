/**
 * Comparing tables read back from the kernel. ipvsadm sorts with a comparator that is not a total
 * order (int32 wrap-around of address/mark differences) over the kernel's hash-table order, which
 * is randomised per boot (net->hash_mix), so line order is only predictable when the comparator is
 * consistent on the table's entries.
 */
import { canonicalTable } from "../lvs/canonical.ts";
import type { IpvsTable } from "../lvs/model.ts";
import { compareDestinationsIpvs, compareServicesIpvs } from "../lvs/ipvsadmOrder.ts";
import { serviceKeyString, destinationKeyString } from "../lvs/tableKey.ts";

function consistent<T>(items: readonly T[], cmp: (a: T, b: T) => number): boolean {
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const a = items[i] as T;
      const b = items[j] as T;
      if (Math.sign(cmp(a, b)) !== -Math.sign(cmp(b, a))) return false;
      for (let k = j + 1; k < items.length; k++) {
        const c = items[k] as T;
        // a total order on this set: no cycle a<b<c<a (or the reverse)
        const ab = Math.sign(cmp(a, b));
        if (ab !== 0 && ab === Math.sign(cmp(b, c)) && ab === Math.sign(cmp(c, a))) return false;
      }
    }
  }
  return true;
}

/** True when ipvsadm's save order of this table does not depend on the kernel's hash order. */
export function ipvsadmOrderDetermined(table: IpvsTable): boolean {
  return (
    consistent(table.services, compareServicesIpvs) &&
    table.services.every((s) => consistent(s.destinations, compareDestinationsIpvs))
  );
}

/** Canonical table in a plain total order (by key text), for order-insensitive comparison. */
export function totallySorted(table: IpvsTable): IpvsTable {
  const c = canonicalTable(table);
  const by = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  return {
    services: c.services
      .map((s) => ({ ...s, destinations: [...s.destinations].sort(by(destinationKeyString)) }))
      .sort(by(serviceKeyString)),
  };
}

/**
 * What -Ln / --thresholds can show of a table: tunnel options collapse to "Tunnel", and `pe sip` is
 * printed only inside the persistence branch (a non-persistent service's --pe is invisible there).
 */
export function listingView(t: IpvsTable): IpvsTable {
  return totallySorted({
    services: t.services.map((s) => ({
      ...s,
      persistenceEngine: s.persistence ? s.persistenceEngine : null,
      destinations: s.destinations.map((d) => ({ ...d, tunnel: d.method === "tun" ? { type: "ipip" as const, port: null, checksum: null } : null })),
    })),
  });
}
