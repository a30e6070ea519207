/** Rules over one director's IpvsTable (imports, agent desired tables): the same service/destination rules. */
import type { IpvsService, IpvsTable } from "../model.ts";
import { makeIssue, type Issue, type Site } from "../issues.ts";
import { checkService, type ServiceView } from "./serviceRules.ts";
import { describeServiceKey } from "../tableKey.ts";
import { checkDestination, destinationIdentity, destinationKeyText } from "./destinationRules.ts";
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

    if (s.destinations.length === 0)
      out.push(makeIssue("service.no-real-servers", at, ["destinations"], `${key} has no real servers; connections to it are refused or dropped.`, { key }));
    else if (s.destinations.every((d) => d.weight === 0))
      out.push(makeIssue("service.all-weights-zero", at, ["destinations"], `${key}: every real server has weight 0, so new connections find no server.`, { key, variant: "table" }));

    const dests = new Map<string, number>();
    s.destinations.forEach((d, j) => {
      const dAt: Site = { path: ["services", i, "destinations", j], objectId: `${key} -> ${destinationKeyText(d, view)}` };
      out.push(...checkDestination(view, d, dAt));
      const id = destinationIdentity(d, view, d.method);
      const p = dests.get(id);
      if (p !== undefined)
        out.push(makeIssue("destination.duplicate", dAt, [], `${key} lists real server ${destinationKeyText(d, view)} twice (entries ${p + 1} and ${j + 1}); the kernel holds each address:port once per service.`,
        { key, server: destinationKeyText(d, view), first: p + 1, second: j + 1, variant: "table" }));
      else dests.set(id, j);
    });
  });
  return out;
}
