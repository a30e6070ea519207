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
import { hostPort } from "../../_canvas/labels.ts";

export type PathMode = ForwardingMethod | "fullnat";

/** What happens at a hop; the UI words it (messages editor.packetPath.notes.<key>). */
export type HopNote =
  | "request" | "natDnat" | "natReply" | "natSnat" | "drFrame" | "drReply" | "tunEncap" | "tunReply"
  | "fullnatOut" | "fullnatReply" | "fullnatBack";

export interface Hop {
  from: "client" | "director" | "realServer";
  to: "client" | "director" | "realServer";
  /** IP header as seen on this hop */
  src: string;
  dst: string;
  /** frame addressing (DR: director's interface → the real server's MAC) or outer IP header (TUN) */
  outer?: { kind: "mac"; from: string; to: string } | { kind: "ip"; from: string; to: string; tunnel: string };
  note: HopNote;
  /** values the note's wording uses */
  values?: Record<string, string>;
}

/**
 * How the DIP shown is known: declared (an interface of the director in the topology), routed (a
 * userspace-engine director without declared interfaces: its proxy connects from whatever address
 * its routing picks toward the RIP, so nothing is missing), missing (a kernel director without any
 * interface: DR and NAT cannot work without a DIP, TUN's outer source would be unknown).
 */
export type DipState = "declared" | "routed" | "missing";

export interface PacketPathModel {
  mode: PathMode;
  cip: string;
  vip: string;
  dip: string;
  dipState: DipState;
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
  const dipState: DipState = director?.interfaces.length ? "declared" : mode === "fullnat" ? "routed" : "missing";
  const base = { mode, cip, vip, dip, dipState, rip, director: director?.name ?? "director" };
  const request: Hop = { from: "client", to: "director", src: c, dst: vip, note: "request" };
  switch (mode) {
    case "nat":
      return {
        ...base,
        hops: [
          request,
          { from: "director", to: "realServer", src: c, dst: rip, note: "natDnat" },
          { from: "realServer", to: "director", src: rip, dst: c, note: "natReply", values: { gateway: dip } },
          { from: "director", to: "client", src: vip, dst: c, note: "natSnat" },
        ],
      };
    case "dr":
      return {
        ...base,
        hops: [
          request,
          {
            from: "director", to: "realServer", src: c, dst: vip,
            outer: { kind: "mac", from: dip, to: hostPort(rs.address, null) },
            note: "drFrame",
          },
          { from: "realServer", to: "client", src: vip, dst: c, note: "drReply" },
        ],
      };
    case "tun":
      return {
        ...base,
        hops: [
          request,
          {
            from: "director", to: "realServer", src: c, dst: vip,
            outer: { kind: "ip", from: dip, to: hostPort(rs.address, null), tunnel: m.tunnel?.type ?? "ipip" },
            note: "tunEncap",
          },
          { from: "realServer", to: "client", src: vip, dst: c, note: "tunReply" },
        ],
      };
    case "fullnat":
      return {
        ...base,
        hops: [
          request,
          { from: "director", to: "realServer", src: `${dip}:lport`, dst: rip, note: "fullnatOut" },
          { from: "realServer", to: "director", src: rip, dst: `${dip}:lport`, note: "fullnatReply" },
          { from: "director", to: "client", src: vip, dst: c, note: "fullnatBack" },
        ],
      };
  }
}
