import {
  DEFAULT_FORWARDING_METHOD, DEFAULT_WEIGHT, type Membership, type RealServer,
} from "@/lvs/model.ts";

/** A new real server: port null = the service's port (what DR and TUN require anyway). */
export function newRealServer(id: string, ordinal: number): RealServer {
  return {
    id,
    name: `rs-${ordinal}`,
    address: `10.0.0.${Math.min(99, 10 + ordinal)}`,
    port: null,
    host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null },
  };
}

/** A new membership with ipvsadm's defaults: `-a ... -g -w 1` (DR, weight 1, no thresholds). */
export function newMembership(id: string, serviceId: string, realServerId: string): Membership {
  return {
    id,
    serviceId,
    realServerId,
    method: DEFAULT_FORWARDING_METHOD,
    weight: DEFAULT_WEIGHT,
    upperThreshold: 0,
    lowerThreshold: 0,
    tunnel: null,
    state: "active",
    healthCheck: null,
  };
}
