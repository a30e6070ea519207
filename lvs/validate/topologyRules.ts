/** Cross-object rules over a structurally valid Topology. */
import type { Director, HealthCheck, Membership, RealServer, Topology, VirtualService } from "../model.ts";
import { familyWord, makeIssue, type Issue, type Site } from "../issues.ts";
import { checkService, type ServiceView } from "./serviceRules.ts";
import { describeServiceKey } from "../tableKey.ts";
import { checkDestination, destinationIdentity, destinationKeyText } from "./destinationRules.ts";
import { checkForwarding } from "./methodRules.ts";
import { canonical, familyOf } from "./net.ts";

export function serviceView(s: VirtualService): ServiceView {
  return {
    protocol: s.protocol, family: s.family, address: s.address, port: s.port, fwmark: s.fwmark,
    scheduler: s.scheduler, flags: s.flags, persistence: s.persistence, persistenceEngine: s.persistenceEngine,
    onePacket: s.onePacket,
  };
}

/** Identity of a service inside one director's kernel table. */
export function serviceIdentity(s: ServiceView): string {
  if (s.protocol === "fwmark") return `fwmark|${s.fwmark}|${s.family}`;
  return `${s.protocol}|${canonical(s.address ?? "")}|${s.port}`;
}

function checkHealth(hc: HealthCheck | null, at: Site, field: string): Issue[] {
  if (hc && (hc.kind === "http" || hc.kind === "https") && hc.status[0] > hc.status[1])
    return [makeIssue("service.health-check-status-range", at, [field, "status"],
      `The HTTP check expects status ${hc.status[0]}-${hc.status[1]}; the range must go from low to high (e.g. 200-299).`, { low: hc.status[0], high: hc.status[1] })];
  return [];
}

function duplicateIds(t: Topology): Issue[] {
  const out: Issue[] = [];
  const seen = new Map<string, string>();
  const groups: [string, { id: string }[]][] = [
    ["directors", t.directors], ["services", t.services], ["realServers", t.realServers], ["memberships", t.memberships],
  ];
  for (const [kind, list] of groups) {
    const mine = new Set<string>();
    for (const o of list) {
      // a repeat within one kind is named as such (the normalized tables refuse it), before one across kinds
      const prev = mine.has(o.id) ? kind : seen.get(o.id);
      if (prev !== undefined)
        out.push(makeIssue("topology.duplicate-id", { path: [kind, o.id], objectId: o.id }, ["id"],
          `The id "${o.id}" is used twice (${prev} and ${kind}); every object needs its own id so edits and badges reach the right one.`, { id: o.id, first: prev, second: kind }));
      else seen.set(o.id, kind);
      mine.add(o.id);
    }
  }
  return out;
}

/** Two directors named alike (e.g. two imports both left as "imported"): a warning on the second. */
function duplicateDirectorNames(t: Topology): Issue[] {
  const out: Issue[] = [];
  const seen = new Set<string>();
  for (const d of t.directors) {
    const name = d.name.trim();
    if (name && seen.has(name))
      out.push(makeIssue("topology.duplicate-director-name", { path: ["directors", d.id], objectId: d.id }, ["name"],
        `Two directors are named "${name}"; give each its own name so exports, deploys and the live view can tell them apart.`, { name }));
    seen.add(name);
  }
  return out;
}

/** `elsewhere`: ids that exist in the document but were left out (malformed); links to them are not reported. */
export function topologyRules(t: Topology, elsewhere: ReadonlySet<string> = new Set()): Issue[] {
  const out: Issue[] = [...duplicateIds(t), ...duplicateDirectorNames(t)];
  const directors = new Map<string, Director>(t.directors.map((d) => [d.id, d]));
  const services = new Map<string, VirtualService>(t.services.map((s) => [s.id, s]));
  const servers = new Map<string, RealServer>(t.realServers.map((r) => [r.id, r]));
  const bySvc = new Map<string, Membership[]>();

  for (const m of t.memberships) {
    const at: Site = { path: ["memberships", m.id], objectId: m.id };
    if (!services.has(m.serviceId) && !elsewhere.has(m.serviceId))
      out.push(makeIssue("membership.missing-service", at, ["serviceId"], `This link points at service "${m.serviceId}", which does not exist; delete the link or restore the service.`, { serviceId: m.serviceId }));
    if (!servers.has(m.realServerId) && !elsewhere.has(m.realServerId))
      out.push(makeIssue("membership.missing-real-server", at, ["realServerId"], `This link points at real server "${m.realServerId}", which does not exist; delete the link or restore the server.`, { realServerId: m.realServerId }));
    if (services.has(m.serviceId) && servers.has(m.realServerId)) {
      const list = bySvc.get(m.serviceId) ?? [];
      list.push(m);
      bySvc.set(m.serviceId, list);
    }
  }

  // per-director duplicate services
  const perDirector = new Map<string, Map<string, VirtualService>>();

  for (const s of t.services) {
    const at: Site = { path: ["services", s.id], objectId: s.id };
    const view = serviceView(s);
    const key = describeServiceKey(view);
    out.push(...checkService(view, at));
    out.push(...checkHealth(s.healthCheck, at, "healthCheck"));

    const placed: Director[] = [];
    for (const did of s.directorIds) {
      const d = directors.get(did);
      if (!d) {
        if (elsewhere.has(did)) continue;
        out.push(makeIssue("service.unknown-director", at, ["directorIds"], `${key} is placed on director "${did}", which does not exist.`, { key, director: did }));
        continue;
      }
      if (placed.includes(d)) {
        out.push(makeIssue("service.director-twice", at, ["directorIds"], `${key} lists director "${did}" twice in its placement; list each director once.`, { key, director: did }));
        continue;
      }
      placed.push(d);
      const table = perDirector.get(d.id) ?? new Map<string, VirtualService>();
      const ident = serviceIdentity(view);
      const other = table.get(ident);
      if (other)
        out.push(makeIssue("service.duplicate", at, ["directorIds"],
          `${key} is also defined by service "${other.description || other.id}" on director ${d.name}; the kernel holds one service per ${s.protocol === "fwmark" ? "mark and family" : "protocol, VIP and port"} ("Service already exists").`,
          { key, other: other.description || other.id, director: d.name, variant: s.protocol === "fwmark" ? "mark" : "vip" }));
      else table.set(ident, s);
      perDirector.set(d.id, table);
    }
    if (s.directorIds.length === 0)
      out.push(makeIssue("service.not-placed", at, ["directorIds"], `${key} is placed on no director, so nothing announces or balances this ${s.protocol === "fwmark" ? "mark" : "VIP"}.`,
        { key, variant: s.protocol === "fwmark" ? "mark" : "vip" }));
    if (s.proxyProtocol) {
      const kernel = placed.filter((d) => d.engine === "ipvs");
      if (kernel.length)
        out.push(makeIssue("service.proxy-protocol-needs-userspace", at, ["proxyProtocol"],
          `${key}: PROXY protocol headers are added only by the userspace engine; kernel IPVS on ${kernel.map((d) => d.name).join(", ")} forwards packets unchanged.`, { key, directors: kernel.map((d) => d.name).join(", ") }));
    }

    if (s.sorryServer && familyOf(s.sorryServer.address) !== null && familyOf(s.sorryServer.address) !== s.family)
      out.push(makeIssue("service.sorry-server-family", at, ["sorryServer", "address"],
        `${key}: sorry server ${s.sorryServer.address} is not ${s.family === "inet" ? "IPv4" : "IPv6"} like the service; keepalived skips such a sorry server ("Address family of virtual server and sorry server don't match").`,
        { key, address: s.sorryServer.address, family: familyWord(s.family) }));

    const members = bySvc.get(s.id) ?? [];
    const live = members.filter((m) => m.state !== "disabled");
    if (members.length === 0)
      out.push(makeIssue("service.no-real-servers", at, [], `${key} has no real servers; connections to it are refused or dropped.`, { key }));
    else if (live.length === 0)
      out.push(makeIssue("service.all-disabled", at, [], `${key}: every real server is disabled, so the kernel table holds the service with no destinations.`, { key }));
    else if (live.every((m) => m.weight === 0 || m.state === "draining"))
      out.push(makeIssue("service.all-weights-zero", at, [], `${key}: every real server has weight 0 (quiesced or draining), so new connections find no server.`, { key, variant: "topology" }));

    const idents = new Map<string, Membership>();
    for (const m of members) {
      const rs = servers.get(m.realServerId)!;
      const mAt: Site = { path: ["memberships", m.id], objectId: m.id };
      const dest = { address: rs.address, port: rs.port, method: m.method, upperThreshold: m.upperThreshold, lowerThreshold: m.lowerThreshold, tunnel: m.tunnel };
      out.push(...checkDestination(view, dest, mAt));
      out.push(...checkHealth(m.healthCheck, mAt, "healthCheck"));
      if (m.state !== "disabled") {
        const id = destinationIdentity(dest, view, m.method);
        const prev = idents.get(id);
        if (prev)
          out.push(makeIssue("destination.duplicate", mAt, ["realServerId"],
            `${key} already has real server ${destinationKeyText(dest, view)} (link "${prev.id}"); the kernel holds each address:port once per service ("Destination already exists").`,
            { key, server: destinationKeyText(dest, view), link: prev.id, variant: "topology" }));
        else idents.set(id, m);
      }
      out.push(...checkForwarding(s, m, rs, placed));
    }
  }
  return out;
}
