/**
 * Constructors with ipvsadm's defaults: scheduler wlc, weight 1, direct routing (-g), bare -p = 360 s,
 * thresholds 0 (none), no flags, no persistence engine. Ids are passed in (no randomness here);
 * `sequentialIds` gives deterministic ones for imports and tests.
 */
import { addressFamily, canonicalAddress } from "./address.ts";
import {
  DEFAULT_FORWARDING_METHOD, DEFAULT_PERSISTENCE_TIMEOUT, DEFAULT_SCHEDULER, DEFAULT_WEIGHT,
  type AddressFamily, type Director, type IpvsDestination, type IpvsService, type IpvsServiceKey, type Membership,
  type Persistence, type Protocol, type RealServer, type Topology, type VirtualService,
} from "./model.ts";

export type ServiceAddressInput =
  | { protocol: Protocol; address: string; port: number }
  | { protocol: "fwmark"; fwmark: number; family?: AddressFamily };

/** `-p [timeout] [-M mask]`: bare -p is 360 s. */
export function persistence(timeout: number = DEFAULT_PERSISTENCE_TIMEOUT, netmask: string | null = null): Persistence {
  return { timeout, netmask };
}

export function newDirector(id: string, name: string, over: Partial<Omit<Director, "id">> = {}): Director {
  return { id, name, managementAddress: null, interfaces: [], engine: "auto", ...over };
}

export function newVirtualService(id: string, at: ServiceAddressInput, over: Partial<Omit<VirtualService, "id">> = {}): VirtualService {
  const key =
    at.protocol === "fwmark"
      ? { protocol: "fwmark" as const, family: at.family ?? "inet", address: null, port: null, fwmark: at.fwmark }
      : {
          protocol: at.protocol,
          family: addressFamily(at.address) ?? "inet",
          address: canonicalAddress(at.address) ?? at.address,
          port: at.port,
          fwmark: null,
        };
  return {
    id,
    ...key,
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
    ...over,
  };
}

export function newRealServer(id: string, address: string, over: Partial<Omit<RealServer, "id" | "address">> = {}): RealServer {
  const a = canonicalAddress(address) ?? address;
  return {
    id,
    name: a,
    address: a,
    port: null,
    host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null },
    ...over,
  };
}

export function newMembership(id: string, serviceId: string, realServerId: string, over: Partial<Omit<Membership, "id" | "serviceId" | "realServerId">> = {}): Membership {
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
    ...over,
  };
}

export function emptyTopology(name = "default"): Topology {
  return { name, directors: [], services: [], realServers: [], memberships: [], layout: {} };
}

/** An IPVS service with ipvsadm's defaults (`-A <key>` with no other option). */
export function newIpvsService(key: IpvsServiceKey, over: Partial<Omit<IpvsService, "protocol" | "family" | "address" | "port" | "fwmark">> = {}): IpvsService {
  return { ...key, scheduler: DEFAULT_SCHEDULER, flags: [], persistence: null, persistenceEngine: null, onePacket: false, destinations: [], ...over } as IpvsService;
}

/** A destination with ipvsadm's defaults (`-a ... -r <address:port>`). */
export function newDestination(address: string, port: number, over: Partial<Omit<IpvsDestination, "address" | "port">> = {}): IpvsDestination {
  return {
    address: canonicalAddress(address) ?? address,
    port,
    method: DEFAULT_FORWARDING_METHOD,
    weight: DEFAULT_WEIGHT,
    upperThreshold: 0,
    lowerThreshold: 0,
    tunnel: null,
    ...over,
  };
}

export type IdKind = "director" | "service" | "realServer" | "membership";
export type IdGenerator = (kind: IdKind) => string;

const ID_PREFIX: Record<IdKind, string> = { director: "dir", service: "svc", realServer: "rs", membership: "mem" };

/** Deterministic ids: dir-1, svc-1, rs-1, mem-1, ... (optionally prefixed). */
export function sequentialIds(prefix = ""): IdGenerator {
  const next: Record<IdKind, number> = { director: 0, service: 0, realServer: 0, membership: 0 };
  return (kind) => `${prefix}${ID_PREFIX[kind]}-${++next[kind]}`;
}
