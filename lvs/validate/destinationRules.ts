/**
 * Rules for one real server inside one service (ipvsadm -a), shared by validate() and validateTable().
 */
import type { AddressFamily, ForwardingMethod, TunnelOptions } from "../model.ts";
import { familyWord, makeIssue, type Issue, type Site } from "../issues.ts";
import { canonical, familyOf } from "./net.ts";
import type { ServiceView } from "./serviceRules.ts";
import { describeServiceKey } from "../tableKey.ts";

export interface DestinationView {
  address: string;
  /** null = the service port */
  port: number | null;
  method: ForwardingMethod;
  upperThreshold: number;
  lowerThreshold: number;
  tunnel: TunnelOptions | null;
}

const METHOD_NAME: Record<ForwardingMethod, string> = { dr: "DR (-g)", tun: "TUN (-i)", nat: "NAT (-m)" };

export function destinationKeyText(d: Pick<DestinationView, "address" | "port">, svc: Pick<ServiceView, "port">): string {
  const a = familyOf(d.address) === "inet6" ? `[${d.address}]` : d.address;
  return `${a}:${d.port ?? svc.port ?? 0}`;
}

/** Key for duplicate detection inside one service: the kernel's (addr, port) of the destination. */
export function destinationIdentity(d: Pick<DestinationView, "address" | "port">, svc: Pick<ServiceView, "port" | "protocol">, method: ForwardingMethod): string {
  // ipvsadm forces the service port for DR/TUN on non-fwmark services, so two entries that differ only
  // in an ignored port collide in the kernel.
  return `${canonical(d.address)}|${identityPort(d, svc, method)}`;
}

/** The port of destinationIdentity. */
export function identityPort(d: Pick<DestinationView, "port">, svc: Pick<ServiceView, "port" | "protocol">, method: ForwardingMethod): number {
  const forced = svc.protocol !== "fwmark" && method !== "nat";
  return forced ? (svc.port ?? 0) : (d.port ?? svc.port ?? 0);
}

/**
 * The issues of one real server of `svc`, appended to `out` (returned). `at` may be a function: a
 * table of a million real servers has few issues, so the checks run first, allocating nothing, and
 * the site and the texts are made only for an issue.
 */
export function checkDestination(svc: ServiceView, d: DestinationView, at: Site | (() => Site), out: Issue[] = []): Issue[] {
  const fam = familyOf(d.address);
  const familyBad = fam !== null && fam !== svc.family && d.method !== "tun";
  const portIgnored = svc.protocol !== "fwmark" && d.method !== "nat" && d.port !== null && svc.port !== null && d.port !== svc.port;
  const lowerWithoutUpper = d.upperThreshold === 0 && d.lowerThreshold > 0;
  const thresholdsOrder = !lowerWithoutUpper && d.upperThreshold > 0 && d.lowerThreshold > d.upperThreshold;
  const t = d.tunnel;
  if (!familyBad && !portIgnored && !lowerWithoutUpper && !thresholdsOrder && t === null) return out;
  const where = `${describeServiceKey(svc)} -> ${destinationKeyText(d, svc)}`;
  const site = typeof at === "function" ? at() : at;

  if (familyBad)
    out.push(makeIssue("destination.address-family", site, ["method"],
      `${where}: an ${fam === "inet" ? "IPv4" : "IPv6"} real server behind an ${svc.family === "inet" ? "IPv4" : "IPv6"} service works only with tunnelling; ipvsadm: "Different address family is allowed only for tunneling servers".`,
      { where, family: familyWord(fam as AddressFamily), serviceFamily: familyWord(svc.family) }));

  if (portIgnored)
    out.push(makeIssue("destination.port-ignored", site, ["port"],
      `${where}: ${METHOD_NAME[d.method]} forwards the packet unchanged, so it cannot map port ${svc.port} to ${d.port}; ipvsadm silently uses ${svc.port}. Use NAT for port mapping or listen on ${svc.port}.`,
      { where, method: METHOD_NAME[d.method], servicePort: svc.port as number, port: d.port as number }));

  if (lowerWithoutUpper)
    out.push(makeIssue("destination.lower-threshold-without-upper", site, ["lowerThreshold"],
      `${where}: a lower threshold (-y ${d.lowerThreshold}) without an upper one (-x) is rejected by the kernel ("Numerical result out of range"); set -x or clear -y.`, { where, lower: d.lowerThreshold }));
  else if (thresholdsOrder)
    out.push(makeIssue("destination.thresholds-order", site, ["lowerThreshold"],
      `${where}: the lower threshold -y ${d.lowerThreshold} is above the upper threshold -x ${d.upperThreshold}; the kernel rejects it (l_threshold > u_threshold).`, { where, lower: d.lowerThreshold, upper: d.upperThreshold }));

  if (t !== null) {
    if (d.method !== "tun")
      out.push(makeIssue("destination.tunnel-options-without-tun", site, ["tunnel"],
        `${where}: tunnel options apply only to tunnelling (-i), not ${METHOD_NAME[d.method]}; ipvsadm: "Tunnel options conflict with forward method".`, { where, method: METHOD_NAME[d.method] }));
    else if (t.type === "gue" && (t.port === null || t.port === 0))
      out.push(makeIssue("destination.tunnel-gue-needs-port", site, ["tunnel", "port"],
        `${where}: a GUE tunnel needs the UDP port the real server decapsulates on (--tun-port).`, { where }));
    else if (t.type !== "gue" && t.port !== null)
      out.push(makeIssue("destination.tunnel-port-not-gue", site, ["tunnel", "port"],
        `${where}: --tun-port is only for GUE; ${t.type.toUpperCase()} has no port.`, { where, type: t.type.toUpperCase() }));
    if (d.method === "tun" && t.type === "gre" && t.checksum === "remcsum")
      out.push(makeIssue("destination.tunnel-gre-remcsum", site, ["tunnel", "checksum"],
        `${where}: GRE tunnels support --tun-nocsum and --tun-csum, not --tun-remcsum (remote checksum offload is GUE only).`, { where }));
    if (d.method === "tun" && t.type === "ipip" && t.checksum !== null)
      out.push(makeIssue("destination.tunnel-ipip-checksum", site, ["tunnel", "checksum"],
        `${where}: IPIP tunnels carry no checksum option; remove --tun-${t.checksum} or use GUE/GRE.`, { where, checksum: t.checksum }));
  }
  return out;
}
