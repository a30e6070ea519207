/** Rules over one director's IpvsTable (imports, agent desired tables): the same service/destination rules. */
import type { IpvsDestination, IpvsService, IpvsTable } from "../model.ts";
import { makeIssue, type Issue, type Site } from "../issues.ts";
import { checkService, type ServiceView } from "./serviceRules.ts";
import { describeServiceKey } from "../tableKey.ts";
import { checkDestination, destinationIdentity, destinationKeyText, identityPort } from "./destinationRules.ts";
import { canonical } from "./net.ts";
import { serviceIdentity } from "./topologyRules.ts";

export function ipvsServiceView(s: IpvsService): ServiceView {
  const common = {
    family: s.family, scheduler: s.scheduler, flags: s.flags, persistence: s.persistence,
    persistenceEngine: s.persistenceEngine, onePacket: s.onePacket,
  };
  return s.protocol === "fwmark"
    ? { ...common, protocol: "fwmark", address: null, port: null, fwmark: s.fwmark }
    : { ...common, protocol: s.protocol, address: s.address, port: s.port, fwmark: null };
}

/** Services with more real servers than this find duplicates with a map; fewer, pair by pair (no allocation). */
const PAIRWISE_MAX = 16;

export function tableRules(table: IpvsTable): Issue[] {
  const out: Issue[] = [];
  const seen = new Map<string, number>();
  table.services.forEach((s, i) => {
    const view = ipvsServiceView(s);
    const key = describeServiceKey(view);
    const at: Site = { path: ["services", i], objectId: key };
    out.push(...checkService(view, at));
    const ident = serviceIdentity(view);
    const prev = seen.get(ident);
    if (prev !== undefined)
      out.push(makeIssue("service.duplicate", at, [], `${key} is defined twice (entries ${prev + 1} and ${i + 1}); the kernel holds one such service ("Service already exists").`,
        { key, first: prev + 1, second: i + 1, variant: "table" }));
    else seen.set(ident, i);

    const ds = s.destinations;
    if (ds.length === 0)
      out.push(makeIssue("service.no-real-servers", at, ["destinations"], `${key} has no real servers; connections to it are refused or dropped.`, { key }));
    else if (ds.every((d) => d.weight === 0))
      out.push(makeIssue("service.all-weights-zero", at, ["destinations"], `${key}: every real server has weight 0, so new connections find no server.`, { key, variant: "table" }));

    // one site maker per service, reading the current j: its objectId text is made only for an issue
    let j = 0;
    const dAt = (): Site => ({ path: ["services", i, "destinations", j], objectId: `${key} -> ${destinationKeyText(ds[j] as IpvsDestination, view)}` });
    const dests = ds.length > PAIRWISE_MAX ? new Map<string, number>() : null;
    // canonical addresses of the real servers so far, each read right after checkDestination read the same address
    const addrs: string[] | null = dests ? null : [];
    for (; j < ds.length; j++) {
      const d = ds[j] as IpvsDestination;
      checkDestination(view, d, dAt, out);
      addrs?.push(canonical(d.address));
      const p = addrs ? firstPairwise(ds, addrs, j, view) : firstByMap(dests as Map<string, number>, destinationIdentity(d, view, d.method), j);
      if (p !== undefined) {
        const server = destinationKeyText(d, view);
        out.push(makeIssue("destination.duplicate", dAt(), [], `${key} lists real server ${server} twice (entries ${p + 1} and ${j + 1}); the kernel holds each address:port once per service.`,
          { key, server, first: p + 1, second: j + 1, variant: "table" }));
      }
    }
  });
  return out;
}

/** The first earlier index with the same identity, remembering `j` when it is the first. */
function firstByMap(dests: Map<string, number>, id: string, j: number): number | undefined {
  const p = dests.get(id);
  if (p === undefined) dests.set(id, j);
  return p;
}

/** destinationIdentity compared pair by pair against the earlier real servers (`addrs`: their canonical addresses): the first one equal to `ds[j]`. */
function firstPairwise(ds: readonly IpvsDestination[], addrs: readonly string[], j: number, view: ServiceView): number | undefined {
  const d = ds[j] as IpvsDestination;
  const port = identityPort(d, view, d.method);
  for (let p = 0; p < j; p++) {
    const e = ds[p] as IpvsDestination;
    if (addrs[p] === addrs[j] && identityPort(e, view, e.method) === port) return p;
  }
  return undefined;
}
