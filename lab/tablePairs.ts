/**
 * Pairs (A, B) of kernel-valid IPVS tables where B keeps, edits, drops and adds services and real
 * servers of A, so that plan(A, B) exercises -E and -e as well as -A/-a/-d/-D.
 * Edits stay kernel-valid: service keys are kept, port 0 stays persistent, -o stays on UDP/fwmark,
 * -y <= -x, destination methods only move between DR and TUN (both forced to the service port).
 */
import fc from "fast-check";
import type { IpvsDestination, IpvsService, IpvsTable } from "../lvs/model.ts";
import { destinationKeyString, serviceKeyString } from "../lvs/tableKey.ts";
import { ipvsServiceArbitrary, ipvsTableArbitrary, type TableArbitraryOptions } from "../lvs/testing/arbitraries.ts";

type Fate = "keep" | "drop" | "respec" | "redest" | "both";

function editDestination(d: IpvsDestination, r: { weight: number; upper: number; lower: number; flip: boolean; gue: number }): IpvsDestination {
  const upper = r.upper;
  const lower = Math.min(r.lower, upper);
  let out: IpvsDestination = { ...d, weight: r.weight, upperThreshold: upper, lowerThreshold: lower };
  if (r.flip && d.method === "dr") out = { ...out, method: "tun", tunnel: { type: "gue", port: r.gue, checksum: "csum" } };
  else if (r.flip && d.method === "tun") out = { ...out, method: "dr", tunnel: null };
  else if (d.method === "tun") out = { ...out, tunnel: { type: "gre", port: null, checksum: "csum" } };
  return out;
}

const destEditArb = fc.record({
  weight: fc.integer({ min: 0, max: 65535 }),
  upper: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1000 })),
  lower: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1000 })),
  flip: fc.boolean(),
  gue: fc.integer({ min: 1, max: 65535 }),
});

/** B derived from A: per service one fate; plus, sometimes, services of an unrelated table. */
function relatedTable(a: IpvsTable, o: TableArbitraryOptions): fc.Arbitrary<IpvsTable> {
  const perService = a.services.map((s) =>
    fc.tuple(
      fc.constantFrom<Fate>("keep", "drop", "respec", "redest", "both"),
      ipvsServiceArbitrary({ ...o, families: [s.family], protocols: [s.protocol] }),
      fc.array(fc.option(destEditArb, { nil: null }), { minLength: s.destinations.length, maxLength: s.destinations.length }),
    ),
  );
  return fc.tuple(fc.tuple(...perService), ipvsTableArbitrary(o), fc.boolean()).map(([fates, other, takeOther]) => {
    const services: IpvsService[] = [];
    a.services.forEach((s, i) => {
      const [fate, fresh, edits] = fates[i]!;
      if (fate === "drop") return;
      if (fate === "keep") return void services.push(s);
      let next: IpvsService = s;
      if (fate === "respec" || fate === "both") {
        // a new spec on the same key; the fresh service's destinations are of the same family
        const persistence = s.protocol !== "fwmark" && s.port === 0 ? (fresh.persistence ?? s.persistence) : fresh.persistence;
        next = {
          ...s,
          scheduler: fresh.scheduler,
          flags: fresh.flags,
          persistence,
          persistenceEngine: fresh.persistenceEngine,
          onePacket: fresh.onePacket,
        };
      }
      if (fate === "redest" || fate === "both") {
        const kept = s.destinations.flatMap((d, j) => {
          const e = edits[j];
          if (e === undefined) return [d];
          if (e === null) return j % 2 ? [] : [d];
          return [editDestination(d, e)];
        });
        const keys = new Set(kept.map((d) => destinationKeyString(canonicalPort(next, d))));
        const added = fresh.destinations.filter((d) => !keys.has(destinationKeyString(canonicalPort(next, d))));
        next = { ...next, destinations: [...kept, ...added] };
      }
      services.push(next);
    });
    const keys = new Set(services.map((s) => serviceKeyString(s)));
    const extra = takeOther ? other.services.filter((s) => !keys.has(serviceKeyString(s))) : [];
    return { services: [...services, ...extra] };
  });
}

/** DR/TUN destinations of non-fwmark services take the service port (as the kernel stores them). */
function canonicalPort(s: IpvsService, d: IpvsDestination): IpvsDestination {
  return (d.method === "dr" || d.method === "tun") && s.protocol !== "fwmark" ? { ...d, port: s.port } : d;
}

export function tablePairArbitrary(o: TableArbitraryOptions = {}): fc.Arbitrary<[IpvsTable, IpvsTable]> {
  return ipvsTableArbitrary(o).chain((a) => relatedTable(a, o).map((b) => [a, b] as [IpvsTable, IpvsTable]));
}
