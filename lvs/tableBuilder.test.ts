import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { TableBuilder } from "./tableBuilder.ts";
import { LvsError } from "./errors.ts";
import { op, type Op } from "./ops.ts";
import type { IpvsDestination, IpvsServiceKey } from "./model.ts";
import { canonicalDestination, canonicalService } from "./canonical.ts";
import { serviceKeyString } from "./tableKey.ts";

const SERVICES: IpvsServiceKey[] = [
  { protocol: "tcp", family: "inet", address: "10.0.0.1", port: 80 },
  { protocol: "udp", family: "inet", address: "10.0.0.1", port: 53 },
];
const spec = (k: IpvsServiceKey, scheduler: string) => ({ ...k, scheduler, flags: [], persistence: null, persistenceEngine: null, onePacket: false });
const dest = (host: number, port: number, weight: number): IpvsDestination => ({
  address: `172.16.0.${host}`, port, method: "nat", weight, upperThreshold: 0, lowerThreshold: 0, tunnel: null,
});

/** ops on two services and 40 hosts × 2 ports: lists grow past the scan limit, shrink, and hit every error */
const anOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.nat(1), fc.constantFrom("rr", "wlc")).map(([s, sch]) => op.addService(spec(SERVICES[s] as IpvsServiceKey, sch))) },
  { weight: 3, arbitrary: fc.tuple(fc.nat(1), fc.constantFrom("rr", "wlc")).map(([s, sch]) => op.editService(spec(SERVICES[s] as IpvsServiceKey, sch))) },
  { weight: 3, arbitrary: fc.nat(1).map((s) => op.deleteService(SERVICES[s] as IpvsServiceKey)) },
  { weight: 120, arbitrary: fc.tuple(fc.nat(1), fc.nat(39), fc.constantFrom(80, 81), fc.nat(9)).map(([s, h, p, w]) => op.addDestination(SERVICES[s] as IpvsServiceKey, dest(h, p, w))) },
  { weight: 30, arbitrary: fc.tuple(fc.nat(1), fc.nat(39), fc.constantFrom(80, 81), fc.nat(9)).map(([s, h, p, w]) => op.editDestination(SERVICES[s] as IpvsServiceKey, dest(h, p, w))) },
  { weight: 60, arbitrary: fc.tuple(fc.nat(1), fc.nat(39), fc.constantFrom(80, 81)).map(([s, h, p]) => op.deleteDestination(SERVICES[s] as IpvsServiceKey, { address: `172.16.0.${h}`, port: p })) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: "clear", dropsConnections: true }) },
);

/** The kernel's list semantics, the plain way: arrays and scans. */
function reference(ops: readonly Op[]) {
  let services: Array<{ key: string; line: number; service: ReturnType<typeof canonicalService>; dests: Array<{ d: IpvsDestination; line: number | undefined }> }> = [];
  const codes: Array<string | null> = [];
  let longest = 0;
  ops.forEach((o, i) => {
    for (const x of services) longest = Math.max(longest, x.dests.length);
    const line = i + 1;
    if (o.kind === "clear") {
      services = [];
      codes.push(null);
      return;
    }
    if (o.kind === "set-timeouts") return;
    const key = serviceKeyString(o.service);
    const s = services.find((x) => x.key === key);
    const fail = (code: string) => codes.push(code);
    if (o.kind === "add-service") {
      if (s) return fail("service_exists");
      services.push({ key, line, service: canonicalService({ ...o.service, destinations: [] }), dests: [] });
    } else if (o.kind === "edit-service") {
      if (!s) return fail("no_such_service");
      s.service = canonicalService({ ...o.service, destinations: [] });
      s.line = line;
    } else if (o.kind === "delete-service") {
      if (!s) return fail("no_such_service");
      services = services.filter((x) => x !== s);
    } else {
      if (!s) return fail("no_such_service");
      const d = o.kind === "delete-destination" ? o.destination : canonicalDestination(s.service, o.destination);
      const at = s.dests.findIndex((x) => x.d.address === d.address && x.d.port === d.port);
      if (o.kind === "add-destination" && at >= 0) return fail("destination_exists");
      if (o.kind !== "add-destination" && at < 0) return fail("no_such_destination");
      if (o.kind === "delete-destination") s.dests.splice(at, 1);
      else if (at < 0) s.dests.push({ d: d as IpvsDestination, line });
      else s.dests[at] = { d: d as IpvsDestination, line };
    }
    codes.push(null);
  });
  return {
    codes,
    longest,
    table: { services: services.map((s) => ({ ...s.service, destinations: s.dests.map((x) => x.d) })) },
    lines: { services: services.map((s) => s.line), destinations: services.map((s) => s.dests.map((x) => x.line)) },
  };
}

describe("TableBuilder keeps the kernel's list semantics in its compact form", () => {
  it("gives the table, lines and errors of plain arrays, through growth past the scan limit, deletes and edits", () => {
    let longest = 0;
    const start = SERVICES.map((k) => op.addService(spec(k, "wlc")));
    const adds = fc.tuple(fc.nat(1), fc.nat(39), fc.constantFrom(80, 81), fc.nat(9)).map(([s, h, p, w]) => op.addDestination(SERVICES[s] as IpvsServiceKey, dest(h, p, w)));
    const deletes = fc.tuple(fc.nat(1), fc.nat(39), fc.constantFrom(80, 81)).map(([s, h, p]) => op.deleteDestination(SERVICES[s] as IpvsServiceKey, { address: `172.16.0.${h}`, port: p }));
    // mixed ops, or grow-shrink-mixed phases (lists past the limit, then mostly holes, then compacted)
    const sequence = fc.oneof(
      fc.array(anOp, { minLength: 50, maxLength: 400 }),
      fc.tuple(fc.array(adds, { minLength: 40, maxLength: 120 }), fc.array(deletes, { minLength: 40, maxLength: 160 }), fc.array(anOp, { maxLength: 60 })).map((p) => p.flat()),
    );
    fc.assert(fc.property(sequence, (more) => {
      const ops = [...start, ...more];
      const b = new TableBuilder();
      const codes = ops.map((o, i) => {
        try {
          b.apply(o, i + 1);
          return null;
        } catch (e) {
          if (!(e instanceof LvsError)) throw e;
          return e.code;
        }
      }).filter((_, i) => ops[i]?.kind !== "set-timeouts");
      const want = reference(ops);
      longest = Math.max(longest, want.longest);
      expect(codes).toEqual(want.codes);
      expect(b.toTableWithLines()).toEqual({ table: want.table, lines: want.lines });
      // a builder from that table holds the same and replays onwards the same
      expect(TableBuilder.from(want.table).toTable()).toEqual(want.table);
    }), { numRuns: 150 });
    // services grew well past the 16 that are scanned instead of indexed
    expect(longest).toBeGreaterThan(30);
  });
});
