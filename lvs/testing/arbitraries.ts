/**
 * fast-check arbitraries for IPVS tables that the real kernel (and ipvsadm 1.31) accepts:
 *  - unique services (by key) and unique destinations per service (by address:port after DR/TUN
 *    port forcing), addresses from unicast ranges in canonical text, both families;
 *  - ports nonzero unless the service is persistent; -o only on UDP and fwmark services;
 *  - scheduler flags matching the scheduler (sh-* with sh, mh-* with mh, flag-N otherwise);
 *  - -M only with persistence (dotted contiguous mask for IPv4, 1..127 for IPv6);
 *  - destinations of the service's family (no mixed-family tunnels), -y <= -x, tunnel options only
 *    with TUN (gue with a port; gre without remcsum; ipip without options).
 * Options narrow the space to what a given kernel has loaded (the Debian 6.1 lab has no `twos`
 * and may not load ip_vs_pe_sip). Shared by unit tests and the kernel lab's round-trip corpora.
 */
import fc from "fast-check";
import { formatIpv6 as formatIpv6Local, prefixToNetmask } from "../address.ts";
import { SCHEDULERS, type AddressFamily, type ForwardingMethod, type IpvsDestination, type IpvsService, type IpvsTable, type SchedulerFlag, type ServiceProtocol, type TunnelOptions, type TunnelType } from "../model.ts";
import { serviceKeyString } from "../tableKey.ts";
import type { ServiceSpec } from "../ops.ts";

export interface TableArbitraryOptions {
  families?: AddressFamily[];
  protocols?: ServiceProtocol[];
  /** default: every scheduler except twos (absent from Debian 12's 6.1 kernel) */
  schedulers?: string[];
  /** generate `--pe sip` (needs the ip_vs_pe_sip module); default true */
  persistenceEngine?: boolean;
  tunnelTypes?: TunnelType[];
  methods?: ForwardingMethod[];
  /** generate -x/-y; default true */
  thresholds?: boolean;
  maxServices?: number;
  maxDestinations?: number;
}

const V4_PREFIXES: readonly (readonly number[])[] = [[10], [172, 16], [192, 168], [100, 64], [198, 18], [203, 0, 113]];

/** Unicast IPv4 in canonical text, spread over ranges more than 2^31 apart (to hit ipvsadm's sort quirk). */
export function ipv4Arbitrary(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...V4_PREFIXES), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 3, maxLength: 3 }), fc.integer({ min: 1, max: 254 }))
    .map(([prefix, mid, last]) => {
      const octets = [...prefix, ...mid].slice(0, 3);
      return [...octets, last].join(".");
    });
}

/** Unicast IPv6 (2001:db8::/32 and fd00::/8) in inet_ntop text. */
export function ipv6Arbitrary(): fc.Arbitrary<string> {
  const word = fc.integer({ min: 0, max: 0xffff });
  return fc
    .tuple(fc.constantFrom("2001:db8", "fd00:1"), fc.array(fc.oneof(fc.constant(0), word), { minLength: 5, maxLength: 5 }), fc.integer({ min: 1, max: 0xffff }))
    .map(([head, mid, last]) => {
      const hex = [...head.split(":").map((h) => parseInt(h, 16)), ...mid, last];
      const bytes = hex.flatMap((w) => [w >> 8, w & 255]);
      return formatIpv6Local(bytes);
    });
}

function addressArbitrary(family: AddressFamily): fc.Arbitrary<string> {
  return family === "inet" ? ipv4Arbitrary() : ipv6Arbitrary();
}

function flagsArbitrary(scheduler: string): fc.Arbitrary<SchedulerFlag[]> {
  const names: SchedulerFlag[] =
    scheduler === "sh" ? ["sh-fallback", "sh-port"] : scheduler === "mh" ? ["mh-fallback", "mh-port"] : ["flag-1", "flag-2", "flag-3"];
  return fc.subarray(names);
}

function tunnelArbitrary(types: TunnelType[]): fc.Arbitrary<TunnelOptions> {
  return fc.constantFrom(...types).chain((type): fc.Arbitrary<TunnelOptions> => {
    if (type === "ipip") return fc.constant({ type, port: null, checksum: null });
    if (type === "gre") return fc.constantFrom("nocsum", "csum").map((checksum) => ({ type, port: null, checksum }) as TunnelOptions);
    return fc
      .tuple(fc.integer({ min: 1, max: 65535 }), fc.constantFrom("nocsum", "csum", "remcsum"))
      .map(([port, checksum]) => ({ type, port, checksum }) as TunnelOptions);
  });
}

function destinationArbitrary(svc: ServiceSpec, o: Required<TableArbitraryOptions>): fc.Arbitrary<IpvsDestination> {
  return fc
    .record({
      address: addressArbitrary(svc.family),
      method: fc.constantFrom(...o.methods),
      natPort: fc.integer({ min: 1, max: 65535 }),
      weight: fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: 65535 })),
      upper: o.thresholds ? fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2147483647 })) : fc.constant(0),
      lowerFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      tunnel: tunnelArbitrary(o.tunnelTypes),
    })
    .map((r) => {
      const svcPort = svc.protocol === "fwmark" ? 0 : svc.port;
      const port = r.method === "nat" && svcPort !== 0 ? r.natPort : r.method === "nat" && svc.protocol === "fwmark" ? r.natPort : svcPort;
      return {
        address: r.address,
        port,
        method: r.method,
        weight: r.weight,
        upperThreshold: r.upper,
        lowerThreshold: Math.floor(r.upper * r.lowerFraction),
        tunnel: r.method === "tun" ? r.tunnel : null,
      };
    });
}

export function ipvsServiceArbitrary(options: TableArbitraryOptions = {}): fc.Arbitrary<IpvsService> {
  const o = withDefaults(options);
  const spec = fc
    .record({
      protocol: fc.constantFrom(...o.protocols),
      family: fc.constantFrom(...o.families),
      fwmark: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 4294967295 })),
      port: fc.oneof(fc.constantFrom(80, 443, 53), fc.integer({ min: 1, max: 65535 })),
      zeroPort: fc.boolean(),
      scheduler: fc.constantFrom(...o.schedulers),
      persistent: fc.boolean(),
      timeout: fc.oneof(fc.constant(360), fc.integer({ min: 1, max: 2678400 })),
      mask: fc.option(fc.integer({ min: 0, max: 127 }), { nil: null }),
      pe: o.persistenceEngine ? fc.boolean() : fc.constant(false),
      onePacket: fc.boolean(),
    })
    .chain((r) =>
      fc.tuple(fc.constant(r), addressArbitrary(r.family), flagsArbitrary(r.scheduler)).map(([r2, address, flags]) => {
        const persistence = r2.persistent
          ? {
              timeout: r2.timeout,
              netmask: r2.mask === null ? null : r2.family === "inet" ? prefixToNetmask(Math.min(r2.mask, 31)) : String(Math.max(1, r2.mask)),
            }
          : null;
        const common = {
          family: r2.family,
          scheduler: r2.scheduler,
          flags,
          persistence,
          persistenceEngine: r2.pe ? ("sip" as const) : null,
          onePacket: r2.onePacket && (r2.protocol === "udp" || r2.protocol === "fwmark"),
          destinations: [] as IpvsDestination[],
        };
        if (r2.protocol === "fwmark") return { protocol: "fwmark" as const, fwmark: r2.fwmark, ...common };
        return { protocol: r2.protocol, address, port: r2.zeroPort && persistence ? 0 : r2.port, ...common };
      }),
    );
  return spec.chain((svc) =>
    fc
      .uniqueArray(destinationArbitrary(svc, o), { maxLength: o.maxDestinations, selector: (d) => `${d.address}|${d.port}` })
      .map((destinations) => ({ ...svc, destinations }) as IpvsService),
  );
}

export function ipvsTableArbitrary(options: TableArbitraryOptions = {}): fc.Arbitrary<IpvsTable> {
  const o = withDefaults(options);
  return fc
    .uniqueArray(ipvsServiceArbitrary(o), { maxLength: o.maxServices, selector: (s) => serviceKeyString(s) })
    .map((services) => ({ services }));
}

function withDefaults(o: TableArbitraryOptions): Required<TableArbitraryOptions> {
  return {
    families: o.families ?? ["inet", "inet6"],
    protocols: o.protocols ?? ["tcp", "udp", "sctp", "fwmark"],
    schedulers: o.schedulers ?? SCHEDULERS.filter((s) => s !== "twos"),
    persistenceEngine: o.persistenceEngine ?? true,
    tunnelTypes: o.tunnelTypes ?? ["ipip", "gue", "gre"],
    methods: o.methods ?? ["dr", "nat", "tun"],
    thresholds: o.thresholds ?? true,
    maxServices: o.maxServices ?? 6,
    maxDestinations: o.maxDestinations ?? 5,
  };
}
