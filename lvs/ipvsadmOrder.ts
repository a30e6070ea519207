/**
 * ipvsadm's sort order of services and destinations.
 *
 * ipvsadm (`-S`, `-L`) sorts with glibc qsort and the libipvs comparators, which subtract unsigned
 * 32-bit values into a signed int: marks and addresses more than 2^31 apart compare backwards, so
 * the order is not a total order. glibc 2.36 (Debian 12) implements qsort as a top-down merge sort;
 * `ipvsadmSort` reproduces that algorithm, so the result equals ipvsadm's whenever the input order
 * equals the kernel's dump order, and always when the comparator happens to be consistent on the set.
 */
import { addressWords, compareAddressesIpvs, cDiffU32 } from "./address.ts";
import type { IpvsDestination, IpvsServiceKey } from "./model.ts";

const AF_NUM = { inet: 2, inet6: 10 } as const;
const PROTO_NUM = { tcp: 6, udp: 17, sctp: 132, fwmark: 0 } as const;

/** libipvs ipvs_cmp_services, including the int32 wrap-around. */
export function compareServicesIpvs(a: IpvsServiceKey, b: IpvsServiceKey): number {
  const ma = a.protocol === "fwmark" ? a.fwmark : 0;
  const mb = b.protocol === "fwmark" ? b.fwmark : 0;
  let r = cDiffU32(ma, mb);
  if (r !== 0) return r;
  r = AF_NUM[a.family] - AF_NUM[b.family];
  if (r !== 0) return r;
  r = PROTO_NUM[a.protocol] - PROTO_NUM[b.protocol];
  if (r !== 0) return r;
  // fwmark services come back from the kernel with address and port zeroed
  const zero = a.family === "inet6" ? "::" : "0.0.0.0";
  const aa = a.protocol === "fwmark" ? zero : a.address;
  const bb = b.protocol === "fwmark" ? (b.family === "inet6" ? "::" : "0.0.0.0") : b.address;
  r = compareAddressesIpvs(a.family, aa, bb);
  if (r !== 0) return r;
  return (a.protocol === "fwmark" ? 0 : a.port) - (b.protocol === "fwmark" ? 0 : b.port);
}

/** libipvs ipvs_cmp_dests: the first operand's family picks the address width. */
export function compareDestinationsIpvs(a: Pick<IpvsDestination, "address" | "port">, b: Pick<IpvsDestination, "address" | "port">): number {
  const r = compareAddressesIpvs(a.address.includes(":") ? "inet6" : "inet", a.address, b.address);
  if (r !== 0) return r;
  return a.port - b.port;
}

/** glibc 2.36 qsort (msort_with_tmp): top-down merge sort, left element wins when cmp <= 0. */
export function ipvsadmSort<T>(items: readonly T[], cmp: (a: T, b: T) => number): T[] {
  const a = items.slice();
  const tmp: T[] = new Array<T>(a.length);
  const sort = (lo: number, n: number): void => {
    if (n <= 1) return;
    const n1 = n >> 1;
    const n2 = n - n1;
    sort(lo, n1);
    sort(lo + n1, n2);
    let i = lo;
    let j = lo + n1;
    const iEnd = lo + n1;
    const jEnd = lo + n;
    let k = 0;
    while (i < iEnd && j < jEnd) {
      if (cmp(a[i] as T, a[j] as T) <= 0) tmp[k++] = a[i++] as T;
      else tmp[k++] = a[j++] as T;
    }
    while (i < iEnd) tmp[k++] = a[i++] as T;
    // the rest of the right run is already in place
    for (let m = 0; m < k; m++) a[lo + m] = tmp[m] as T;
  };
  sort(0, a.length);
  return a;
}

/**
 * An item with what the comparators read, looked up once: a sort compares each item ~log n times,
 * and every look-up of an address's words is a map probe (100 000 services: 3 million probes).
 */
interface Keyed<T> {
  item: T;
  words: readonly [number, number, number, number];
  /** the comparison width of the item as first operand: IPv6 = 4 words */
  wide: boolean;
  mark: number;
  af: number;
  proto: number;
  port: number;
}

function compareWords(a: Keyed<unknown>, b: Keyed<unknown>): number {
  if (!a.wide) return cDiffU32(a.words[0], b.words[0]);
  let r = 0;
  for (let i = 0; r === 0 && i < 4; i++) r = cDiffU32(a.words[i] ?? 0, b.words[i] ?? 0);
  return r;
}

/** compareServicesIpvs on pre-read keys (the same arithmetic, step by step). */
function compareKeyedServices(a: Keyed<unknown>, b: Keyed<unknown>): number {
  let r = cDiffU32(a.mark, b.mark);
  if (r !== 0) return r;
  r = a.af - b.af;
  if (r !== 0) return r;
  r = a.proto - b.proto;
  if (r !== 0) return r;
  r = compareWords(a, b);
  if (r !== 0) return r;
  return a.port - b.port;
}

/** compareDestinationsIpvs on pre-read keys. */
function compareKeyedDestinations(a: Keyed<unknown>, b: Keyed<unknown>): number {
  const r = compareWords(a, b);
  if (r !== 0) return r;
  return a.port - b.port;
}

export function sortServicesIpvs<S extends IpvsServiceKey>(services: readonly S[]): S[] {
  const keyed = services.map((s): Keyed<S> => {
    const fw = s.protocol === "fwmark";
    // fwmark services come back from the kernel with address and port zeroed
    const address = fw ? (s.family === "inet6" ? "::" : "0.0.0.0") : s.address;
    return { item: s, words: addressWords(address), wide: s.family === "inet6", mark: fw ? s.fwmark : 0, af: AF_NUM[s.family], proto: PROTO_NUM[s.protocol], port: fw ? 0 : s.port };
  });
  return ipvsadmSort(keyed, compareKeyedServices).map((k) => k.item);
}

export function sortDestinationsIpvs<D extends Pick<IpvsDestination, "address" | "port">>(dests: readonly D[]): D[] {
  if (dests.length < 2) return dests.slice();
  return sortDestinationsIpvsByWords(dests, dests.map((d) => addressWords(d.address)));
}

/** sortDestinationsIpvs with each real server's addressWords given (`words[i]` of `dests[i]`): for a reader that has them without parsing the address again. */
export function sortDestinationsIpvsByWords<D extends Pick<IpvsDestination, "address" | "port">>(dests: readonly D[], words: readonly (readonly [number, number, number, number])[]): D[] {
  if (dests.length < 2) return dests.slice();
  const keyed = dests.map((d, i): Keyed<D> => ({ item: d, words: words[i]!, wide: d.address.includes(":"), mark: 0, af: 0, proto: 0, port: d.port }));
  return ipvsadmSort(keyed, compareKeyedDestinations).map((k) => k.item);
}
