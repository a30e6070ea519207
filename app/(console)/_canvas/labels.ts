/**
 * What the canvas prints, in the words of `ipvsadm -Ln`:
 *   TCP  10.0.0.100:80 wlc persistent 360
 *     -> 10.0.0.7:80   Route   1
 * Pure; unit-tested.
 */
import type { Director, ForwardingMethod, Membership, RealServer, VirtualService } from "@/lvs/model.ts";

export const METHOD_WORD: Record<ForwardingMethod, string> = { dr: "Route", nat: "Masq", tun: "Tunnel" };

export const hostPort = (address: string, port: number | null | undefined) =>
  `${address.includes(":") ? `[${address}]` : address}${port == null ? "" : `:${port}`}`;

export function serviceLine(s: VirtualService): string {
  const head =
    s.protocol === "fwmark"
      ? `FWM  ${s.fwmark ?? "?"}${s.family === "inet6" ? " IPv6" : ""}`
      : `${s.protocol.toUpperCase()}  ${hostPort(s.address ?? "?", s.port)}`;
  const parts = [head, s.scheduler];
  if (s.flags.length) parts.push(`(${s.flags.join(",")})`);
  if (s.persistence) {
    parts.push(`persistent ${s.persistence.timeout}`);
    if (s.persistence.netmask) parts.push(`mask ${s.persistence.netmask}`);
  }
  if (s.persistenceEngine) parts.push(`pe ${s.persistenceEngine}`);
  if (s.onePacket) parts.push("ops");
  return parts.join(" ");
}

/** The port a destination really receives: DR and TUN cannot map ports. */
export function destinationPort(m: Pick<Membership, "method">, rs: Pick<RealServer, "port">, s: Pick<VirtualService, "port">) {
  return m.method === "nat" ? (rs.port ?? s.port) : (s.port ?? rs.port);
}

export function destinationLine(m: Membership, rs: RealServer | undefined, s: VirtualService | undefined): string {
  const addr = rs ? hostPort(rs.address, rs.port ?? s?.port ?? null) : "?";
  const weight = m.state === "draining" ? 0 : m.weight;
  return `-> ${addr} ${METHOD_WORD[m.method]} ${weight}`;
}

export function directorLines(d: Director): string[] {
  return d.interfaces.map((i) => `${i.name} ${i.address}/${i.prefix}`);
}

/** Text a search box matches against: names, addresses, ports. */
export function searchText(x: Director | VirtualService | RealServer): string {
  if ("interfaces" in x) return [x.name, x.managementAddress ?? "", ...x.interfaces.map((i) => i.address)].join(" ").toLowerCase();
  if ("scheduler" in x) return `${serviceLine(x)} ${x.description} ${x.fwmark ?? ""}`.toLowerCase();
  return `${x.name} ${hostPort(x.address, x.port)}`.toLowerCase();
}
