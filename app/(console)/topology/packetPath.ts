/**
 * The packet path of one membership, drawn the way the LVS literature does (CIP → VIP → DIP → RIP),
 * filled with the topology's own addresses. Pure; unit-tested.
 *
 *  NAT  : the director rewrites the destination to RIP:port; the reply must come back through the
 *         director (RS gateway = DIP), which rewrites the source back to VIP.
 *  DR   : IP header untouched; the director re-addresses the frame to the RS's MAC (same L2 segment);
 *         the RS (VIP on lo, ARP suppressed) replies straight to the client with the VIP as source.
 *  TUN  : the director wraps the packet in IP-in-IP from DIP to RIP; the RS decapsulates (VIP on
 *         tunl0) and replies straight to the client.
 *  FULLNAT (userspace engine): the engine proxies: source and destination both rewritten
 *         (DIP → RIP), replies return to the DIP whatever the RS's gateway; DR/TUN are emulated so.
 */
import type { Director, EngineKind, ForwardingMethod, Membership, RealServer, VirtualService } from "@/lvs/model.ts";
import { prefixContains } from "@/lvs/address.ts";
import { hostPort } from "./labels.ts";

export type PathMode = ForwardingMethod | "fullnat";

export interface Hop {
  from: "client" | "director" | "realServer";
  to: "client" | "director" | "realServer";
  /** IP header as seen on this hop */
  src: string;
  dst: string;
  /** outer header (TUN) or frame addressing (DR) */
  outer?: string;
  /** what changed at this hop */
  note: string;
}

export interface PacketPathModel {
  mode: PathMode;
  cip: string;
  vip: string;
  dip: string;
  rip: string;
  director: string;
  hops: Hop[];
}

/** The DIP facing the real server: the interface whose subnet holds the RIP, else the first one. */
export function facingDip(director: Director | undefined, rip: string): string {
  const ifs = director?.interfaces ?? [];
  const onLink = ifs.find((i) => {
    try {
      return prefixContains(i.address, i.prefix, rip);
    } catch {
      return false;
    }
  });
  return (onLink ?? ifs[0])?.address ?? "DIP";
}

export function pathMode(method: ForwardingMethod, engine: EngineKind | undefined): PathMode {
  return engine === "userspace" ? "fullnat" : method;
}

export function packetPath(
  m: Membership,
  service: VirtualService,
  rs: RealServer,
  director: Director | undefined,
  cip = "CIP",
): PacketPathModel {
  const mode = pathMode(m.method, director?.engine);
  const vport = service.port ?? 0;
  const rport = m.method === "nat" || mode === "fullnat" ? (rs.port ?? vport) : vport;
  const vip = service.protocol === "fwmark" ? `VIP (fwmark ${service.fwmark ?? "?"})` : hostPort(service.address ?? "VIP", vport);
  const dipAddr = facingDip(director, rs.address);
  const rip = hostPort(rs.address, rport);
  const c = `${cip}:cport`;
  const dip = hostPort(dipAddr, null);
  const base = { mode, cip, vip, dip, rip, director: director?.name ?? "director" };
  const request: Hop = { from: "client", to: "director", src: c, dst: vip, note: "request to the VIP" };
  switch (mode) {
    case "nat":
      return {
        ...base,
        hops: [
          request,
          { from: "director", to: "realServer", src: c, dst: rip, note: "DNAT: destination rewritten to RIP:port" },
          { from: "realServer", to: "director", src: rip, dst: c, note: `reply routed back through the gateway ${dip}` },
          { from: "director", to: "client", src: vip, dst: c, note: "source rewritten back to the VIP" },
        ],
      };
    case "dr":
      return {
        ...base,
        hops: [
          request,
          {
            from: "director", to: "realServer", src: c, dst: vip,
            outer: `MAC ${dip} iface → MAC of ${hostPort(rs.address, null)}`,
            note: "IP header untouched; frame re-addressed to the real server's MAC (same L2 segment)",
          },
          { from: "realServer", to: "client", src: vip, dst: c, note: "reply straight to the client, VIP as source (VIP on lo, ARP suppressed)" },
        ],
      };
    case "tun":
      return {
        ...base,
        hops: [
          request,
          {
            from: "director", to: "realServer", src: c, dst: vip,
            outer: `outer IP ${dip} → ${hostPort(rs.address, null)} (${m.tunnel?.type ?? "ipip"})`,
            note: "encapsulated IP-in-IP from DIP to RIP; inner header untouched",
          },
          { from: "realServer", to: "client", src: vip, dst: c, note: "decapsulated on tunl0 (VIP there); reply straight to the client" },
        ],
      };
    case "fullnat":
      return {
        ...base,
        hops: [
          request,
          { from: "director", to: "realServer", src: `${dip}:lport`, dst: rip, note: "userspace engine: source and destination rewritten (FULLNAT)" },
          { from: "realServer", to: "director", src: rip, dst: `${dip}:lport`, note: "reply returns to the DIP whatever the real server's gateway" },
          { from: "director", to: "client", src: vip, dst: c, note: "source VIP, destination CIP restored" },
        ],
      };
  }
}
