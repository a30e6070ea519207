import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { tableRules } from "./tableRules.ts";
import { destinationIdentity } from "./destinationRules.ts";
import { ipvsServiceView } from "./tableRules.ts";
import { isWellFormedTable } from "./tableShape.ts";
import { ipvsTableSchema } from "../schemas.ts";
import { validateTable } from "../validate.ts";
import { schemaIssues } from "./schemaIssues.ts";
import type { IpvsDestination, IpvsService, IpvsTable } from "../model.ts";

// the same host in several spellings, DR/TUN (port forced) and NAT (port kept)
const address = fc.constantFrom("10.1.0.1", "10.1.0.2", "10.1.0.3", "2001:db8::1", "2001:DB8:0::1", "2001:db8::2", "x");
const dest: fc.Arbitrary<IpvsDestination> = fc.record({
  address, port: fc.constantFrom(80, 81), method: fc.constantFrom("dr", "nat", "tun") as fc.Arbitrary<"dr" | "nat" | "tun">,
  weight: fc.nat(3), upperThreshold: fc.constant(0), lowerThreshold: fc.constant(0), tunnel: fc.constant(null),
});
const service = (destinations: IpvsDestination[]): IpvsService => ({
  protocol: "tcp", family: "inet", address: "10.0.0.1", port: 80, scheduler: "wlc", flags: [], persistence: null, persistenceEngine: null, onePacket: false, destinations,
});

describe("tableRules finds duplicate real servers pair by pair (small services) or by map (big ones) alike", () => {
  it("reports exactly the first earlier entry with the same kernel identity", () => {
    fc.assert(fc.property(fc.array(dest, { maxLength: 40 }), (ds) => {
      const s = service(ds);
      const view = ipvsServiceView(s);
      const first = new Map<string, number>();
      const want: Array<[number, number]> = [];
      ds.forEach((d, j) => {
        const id = destinationIdentity(d, view, d.method);
        const p = first.get(id);
        if (p === undefined) first.set(id, j);
        else want.push([p + 1, j + 1]);
      });
      const got = tableRules({ services: [s] }).filter((i) => i.code === "destination.duplicate").map((i) => [i.params?.first, i.params?.second]);
      expect(got).toEqual(want);
    }), { numRuns: 400 });
  });
});

describe("validateTable's zod-free path for plain-shaped tables", () => {
  const DEST_FIELDS = ["address", "port", "method", "weight", "upperThreshold", "lowerThreshold", "tunnel"];
  const ok = fc.record({
    address: fc.constantFrom("10.1.0.1", "2001:db8::1", "::", "255.255.255.255"), port: fc.constantFrom(0, 80, 65535), method: fc.constantFrom("dr", "nat", "tun") as fc.Arbitrary<"dr" | "nat" | "tun">,
    weight: fc.constantFrom(0, 1, 65535), upperThreshold: fc.constantFrom(0, 10), lowerThreshold: fc.constantFrom(0, 5), tunnel: fc.constantFrom(null, { type: "ipip" as const, port: null, checksum: null }),
  });
  // one field of one object made odd: out of range, wrong type, missing, an address zod or ipaddr.js reads otherwise
  const odd = fc.constantFrom<[string, unknown]>(
    ["address", "10.1.0.01"], ["address", "::ffff:1.2.3.4"], ["address", " 10.1.0.1"], ["address", 5], ["port", 65536], ["port", 1.5], ["port", -0], ["weight", Number.NaN],
    ["weight", 65536], ["method", "masq"], ["tunnel", { type: "gue", port: 1, checksum: "csum" }], ["tunnel", { type: "x" }], ["upperThreshold", undefined],
    ["scheduler", "Rr"], ["scheduler", "averyveryverylongname"], ["flags", ["sh-port"]], ["flags", ["nope"]], ["persistence", { timeout: 0, netmask: null }],
    ["persistence", { timeout: 300, netmask: "255.255.255.0" }], ["persistenceEngine", "sip"], ["onePacket", 1], ["family", "inet4"], ["protocol", "icmp"], ["fwmark", 0],
  );
  const table = fc.tuple(fc.array(fc.array(ok, { maxLength: 3 }), { minLength: 1, maxLength: 4 }), fc.option(fc.tuple(fc.nat(20), odd), { nil: undefined }))
    .map(([svcs, change]): unknown => {
      const services: Array<Record<string, unknown>> = svcs.map((ds, i) => (i % 3 === 2
        ? { protocol: "fwmark", family: "inet", fwmark: i + 1, scheduler: "rr", flags: [], persistence: null, persistenceEngine: null, onePacket: false, destinations: ds }
        : { ...service(ds as IpvsDestination[]) }));
      if (change) {
        const [at, [field, value]] = change;
        const s = services[at % services.length] as Record<string, unknown>;
        const ds = s.destinations as Array<Record<string, unknown>>;
        // address and port exist on both: the real server's on even picks
        const onDest = ds.length > 0 && DEST_FIELDS.includes(field) && (!["address", "port"].includes(field) || at % 2 === 0);
        (onDest ? (ds[0] as Record<string, unknown>) : s)[field] = value;
      }
      return { services };
    });

  it("takes it only for tables zod accepts as they are, and gives the same issues as the zod path", () => {
    let plain = 0;
    fc.assert(fc.property(table, (t) => {
      const parsed = ipvsTableSchema.safeParse(t);
      if (isWellFormedTable(t)) {
        plain++;
        expect(parsed.success).toBe(true);
      }
      const viaZod = parsed.success ? tableRules(parsed.data) : schemaIssues(parsed.error, t);
      expect(validateTable(t as IpvsTable)).toEqual(viaZod);
    }), { numRuns: 600 });
    expect(plain).toBeGreaterThan(100);
  });
});
