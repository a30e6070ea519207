import { DEFAULT_SCHEDULER, type VirtualService } from "@/lvs/model.ts";

/** A new virtual service with ipvsadm's defaults: `-A -t VIP:80 -s wlc`, no persistence. */
export function newService(id: string, ordinal: number): VirtualService {
  return {
    id,
    protocol: "tcp",
    family: "inet",
    address: `10.0.0.${Math.min(254, 99 + ordinal)}`,
    port: 80,
    fwmark: null,
    scheduler: DEFAULT_SCHEDULER,
    flags: [],
    persistence: null,
    persistenceEngine: null,
    onePacket: false,
    description: "",
    directorIds: [],
    healthCheck: null,
    sorryServer: null,
    proxyProtocol: false,
  };
}
