/**
 * Forwarding-method prerequisites (topology only): what DR, NAT and TUN need from the network and
 * from the real server's host, as the LVS literature (and our seed tutorial) states them and as the
 * kernel lab confirmed for DR (a DR real server routing through the director loses its replies).
 * The kernel allows mixing methods per destination (conn_flags is per ip_vs_dest), so no rule here
 * forbids a service with NAT and DR members. Directors on the userspace engine (a proxy) are exempt.
 */
import type { Director, Membership, RealServer, VirtualService } from "../model.ts";
import { makeIssue, type Issue, type Site } from "../issues.ts";
import { inSubnet, sameAddress } from "./net.ts";

function subnetHolding(director: Director, rip: string): boolean {
  return director.interfaces.some((i) => inSubnet(rip, i.address, i.prefix));
}

function dips(directors: Director[]): string[] {
  return directors.flatMap((d) => d.interfaces.map((i) => i.address));
}

export function checkForwarding(svc: VirtualService, m: Membership, rs: RealServer, placedOn: Director[]): Issue[] {
  const out: Issue[] = [];
  // The userspace engine is a proxy: it opens its own connection to RIP:port and the reply comes back
  // on it, so none of the L2/gateway/loopback prerequisites of kernel DR/NAT/TUN apply on it.
  const placed = placedOn.filter((d) => d.engine !== "userspace");
  if (placedOn.length > 0 && placed.length === 0) return out;
  const edge: Site = { path: ["memberships", m.id], objectId: m.id };
  const host: Site = { path: ["realServers", rs.id, "host"], objectId: rs.id };
  const name = rs.name || rs.address;
  const vip = svc.address;

  if (m.method === "dr") {
    for (const d of placed) {
      if (!subnetHolding(d, rs.address))
        out.push(makeIssue("dr.rip-outside-dip-subnet", edge, ["method"],
          `DR to ${name} (${rs.address}): director ${d.name} has no interface on the real server's subnet. DR only rewrites the destination MAC, so the director and the real server must share an L2 segment (RIP inside a DIP subnet).`, { name, rip: rs.address, director: d.name }));
    }
    if (vip !== null && !rs.host.loopbackVips.some((v) => sameAddress(v, vip)))
      out.push(makeIssue("dr.vip-not-on-loopback", host, ["loopbackVips"],
        `DR real server ${name} must have VIP ${vip} on its loopback (e.g. "ip addr add ${vip}/${svc.family === "inet" ? 32 : 128} dev lo"); otherwise it drops packets addressed to the VIP.`, { name, vip, prefix: svc.family === "inet" ? 32 : 128 }));
    if (!rs.host.arpSuppressed)
      out.push(makeIssue("dr.arp-not-suppressed", host, ["arpSuppressed"],
        `DR real server ${name} must not answer ARP for the VIP (sysctl arp_ignore=1, arp_announce=2 on all/lo), or clients' traffic bypasses the director.`, { name }));
    const gw = rs.host.gateway;
    if (gw !== null) {
      const d = placed.find((x) => x.interfaces.some((i) => sameAddress(i.address, gw)));
      if (d)
        out.push(makeIssue("dr.gateway-is-director", host, ["gateway"],
          `DR real server ${name} routes through director ${d.name} (${gw}); in DR the replies must go straight to the client via another router, because the director drops packets sourced from its own VIP.`, { name, director: d.name, gateway: gw }));
    }
  } else if (m.method === "nat") {
    for (const d of placed) {
      if (!subnetHolding(d, rs.address))
        out.push(makeIssue("nat.rip-outside-dip-subnet", edge, ["method"],
          `NAT to ${name} (${rs.address}): director ${d.name} has no interface on the real server's subnet. NAT real servers normally share a network with a DIP so that their replies return through the director.`, { name, rip: rs.address, director: d.name }));
    }
    const gw = rs.host.gateway;
    const all = dips(placed);
    if (gw === null)
      out.push(makeIssue("nat.gateway-not-director", host, ["gateway"],
        `NAT real server ${name} has no declared gateway; its default route must point at a DIP (${all.join(", ") || "a director address"}) so replies are translated back by the director.`, { name, dips: all.join(", "), variant: "none" }));
    else if (placed.length > 0 && !all.some((a) => sameAddress(a, gw)))
      out.push(makeIssue("nat.gateway-not-director", host, ["gateway"],
        `NAT real server ${name} routes through ${gw}, which is not a DIP (${all.join(", ") || "none declared"}); replies would bypass the director and reach the client from the RIP instead of the VIP.`, { name, gateway: gw, dips: all.join(", "), variant: "other" }));
  } else if (vip !== null && !rs.host.tunnelVips.some((v) => sameAddress(v, vip))) {
    out.push(makeIssue("tun.vip-not-on-tunnel", host, ["tunnelVips"],
      `TUN real server ${name} must have VIP ${vip} on tunl0 (with rp_filter off) to accept the encapsulated packets and answer from the VIP.`, { name, vip }));
  }
  return out;
}
