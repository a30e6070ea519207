/**
 * What a drop from the palette creates: lvs/defaults.ts's constructors (ipvsadm's defaults) with
 * numbered placeholder names and addresses for the operator to overwrite (director-1 with DIP
 * 10.0.0.1/24, VIP 10.0.0.100:80, rs-1 at 10.0.0.11). Only the placeholders live here.
 */
import { newDirector, newRealServer, newVirtualService } from "@/lvs/defaults.ts";
import type { Director, RealServer, VirtualService } from "@/lvs/model.ts";

/** A new director: engine auto (kernel IPVS when present), one DIP to fill in. */
export function paletteDirector(id: string, ordinal: number): Director {
  return newDirector(id, `director-${ordinal}`, { interfaces: [{ name: "eth0", address: `10.0.0.${Math.min(9, ordinal)}`, prefix: 24 }] });
}

/** A new virtual service: `-A -t VIP:80 -s wlc`, no persistence. */
export function paletteService(id: string, ordinal: number): VirtualService {
  return newVirtualService(id, { protocol: "tcp", address: `10.0.0.${Math.min(254, 99 + ordinal)}`, port: 80 });
}

/** A new real server: port null = the service's port (what DR and TUN require anyway). */
export function paletteRealServer(id: string, ordinal: number): RealServer {
  return newRealServer(id, `10.0.0.${Math.min(99, 10 + ordinal)}`, { name: `rs-${ordinal}` });
}
