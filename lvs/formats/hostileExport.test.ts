/**
 * Property-based: whatever a user types into any field that reaches an export (names, description,
 * interface, health-check path/virtualhost/body/UDP payload, exec check and arguments, scheduler,
 * netmask), either the topology schema or validation refuses it naming that field, or every export carries it
 * without adding a line or a block and parses back to the same model: keepalived.conf (one
 * virtual_server, no new top-level block, no errors), ipvsadm-save and ipvsadm commands (same table),
 * and our JSON (same document). Hostile shapes: control characters, quotes, braces, newlines, `#`,
 * `!`, backslashes, U+2028, and the documented injection strings. Complements injection.test.ts
 * (fixed cases) and the per-format round trips over generated tables (parse.test.ts,
 * keepalived.test.ts, listings.test.ts).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { HealthCheck, Topology } from "../model.ts";
import { topologySchema } from "../schemas.ts";
import { validate } from "../validate.ts";
import { compileDirector } from "../compile.ts";
import { comparableTable } from "../canonical.ts";
import { parseRules } from "./ipvsadm/parse.ts";
import { renderCommands, renderRules } from "./ipvsadm/render.ts";
import { renderKeepalived } from "./keepalived/renderKeepalived.ts";
import { parseKeepalived } from "./keepalived/parseKeepalived.ts";
import { parseStatements } from "./keepalived/tokenize.ts";

const timing = { intervalMs: 1000, timeoutMs: 500, rise: 1, fall: 1, onFailure: "quiesce" as const };
const host = { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null };

function doc(family: "inet" | "inet6", hc: HealthCheck | null): Topology {
  const v6 = family === "inet6";
  return {
    name: "t",
    directors: [{ id: "d1", name: "lvs-a", managementAddress: null, interfaces: [{ name: "eth0", address: v6 ? "2001:db8::2" : "10.0.0.2", prefix: v6 ? 64 : 24 }], engine: "ipvs" }],
    services: [{
      id: "s1", protocol: "tcp", family, address: v6 ? "2001:db8::10" : "10.0.0.10", port: 80, fwmark: null, scheduler: "rr", flags: [],
      persistence: { timeout: 300, netmask: null }, persistenceEngine: null, onePacket: false, description: "",
      directorIds: ["d1"], healthCheck: hc, sorryServer: null, proxyProtocol: false,
    }],
    realServers: [{ id: "r1", name: "web", address: v6 ? "2001:db8::20" : "10.0.0.20", port: null, host }],
    memberships: [{ id: "m1", serviceId: "s1", realServerId: "r1", method: "nat", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: null }],
    layout: {},
  };
}

const http: HealthCheck = { kind: "http", port: null, path: "/", host: null, status: [200, 299], bodyMatch: null, ...timing };
const udp: HealthCheck = { kind: "udp", port: null, send: "ping", expect: null, ...timing };
const exec: HealthCheck = { kind: "exec", check: "check_dns", args: [], ...timing };

/** where a typed string lands: [schema path, how to put it into a document] */
const FIELDS: Array<[string, (t: Topology, s: string) => void, HealthCheck | null]> = [
  ["directors.0.name", (t, s) => (t.directors[0]!.name = s), null],
  ["directors.0.interfaces.0.name", (t, s) => (t.directors[0]!.interfaces[0]!.name = s), null],
  ["realServers.0.name", (t, s) => (t.realServers[0]!.name = s), null],
  ["services.0.description", (t, s) => (t.services[0]!.description = s), null],
  ["services.0.scheduler", (t, s) => (t.services[0]!.scheduler = s), null],
  ["services.0.persistence.netmask", (t, s) => (t.services[0]!.persistence!.netmask = s), null],
  ["services.0.healthCheck.path", (t, s) => ((t.services[0]!.healthCheck as { path: string }).path = s), http],
  ["services.0.healthCheck.host", (t, s) => ((t.services[0]!.healthCheck as { host: string }).host = s), http],
  ["services.0.healthCheck.bodyMatch", (t, s) => ((t.services[0]!.healthCheck as { bodyMatch: string }).bodyMatch = s), http],
  ["services.0.healthCheck.send", (t, s) => ((t.services[0]!.healthCheck as { send: string }).send = s), udp],
  ["services.0.healthCheck.expect", (t, s) => ((t.services[0]!.healthCheck as { expect: string }).expect = s), udp],
  ["services.0.healthCheck.check", (t, s) => ((t.services[0]!.healthCheck as { check: string }).check = s), exec],
  ["services.0.healthCheck.args.0", (t, s) => ((t.services[0]!.healthCheck as { args: string[] }).args = [s]), exec],
];

const INJECTIONS = [
  "dir\nglobal_defs {\n script_user root\n}", "x\n}\nvrrp_script chk {\nscript \"/bin/sh\"\n}", "rr\n-C", "rr -C", "a\"b", "a'b", "a{b", "a}b",
  "/x\r\n-A -t 1.2.3.4:80", "a\u2028b", "a\u0000b", "a\\\nb", "# comment", "! comment", "a b", "", "/", "x".repeat(300), "北京-lb", "[2001:db8::1]:8080",
];
const hostileText = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(..."ab/.-_:{}\"'\\\n\r\t #!;$`()[]=%\u2028\u0000"), maxLength: 24 }),
);

describe("hostile strings in every exported field", () => {
  it("are refused with the field named, or exported without adding a line or block and read back unchanged", () => {
    fc.assert(fc.property(fc.constantFrom(...FIELDS), fc.constantFrom("inet" as const, "inet6" as const), hostileText, ([path, put, hc], family, s) => {
      const t = doc(family, hc ? structuredClone(hc) : null);
      put(t, s);
      const r = topologySchema.safeParse(t);
      if (!r.success) {
        expect(r.error.issues.map((i) => i.path.join("."))).toContain(path);
        return;
      }
      const valid = r.data as Topology;
      // what validation calls an error (unknown scheduler, …) is not exported: it names the field instead
      const errors = validate(valid).filter((i) => i.severity === "error");
      if (errors.length > 0) {
        expect(errors.map((i) => i.path.join("."))).toContainEqual(expect.stringContaining(path.split(".").at(-1)!));
        return;
      }
      expect(JSON.parse(JSON.stringify(valid))).toEqual(valid);
      expect(topologySchema.parse(JSON.parse(JSON.stringify(valid)))).toEqual(valid);

      const table = compileDirector(valid, "d1");
      for (const text of [renderRules(table), renderCommands(table)]) {
        const lines = text.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#") && l !== "set -e");
        expect(lines.map((l) => l.replace(/^ipvsadm /, "").slice(0, 3))).toEqual(["-A ", "-a "]);
        const back = parseRules(text); // the whole script, shell preamble included, reads back
        expect(back.errors).toEqual([]);
        expect(comparableTable(back.table)).toEqual(comparableTable(table));
      }

      const conf = renderKeepalived(valid, { directorId: "d1" });
      const top = parseStatements(conf);
      expect(top.errors).toEqual([]);
      expect(top.statements.map((x) => x.keyword).filter((k) => k !== "global_defs" && k !== "virtual_server")).toEqual([]);
      expect(top.statements.filter((x) => x.keyword === "virtual_server")).toHaveLength(1);
      const parsed = parseKeepalived(conf);
      expect(parsed.errors).toEqual([]);
      expect(comparableTable(parsed.table)).toEqual(comparableTable(table));
      // the typed value itself comes back (a check is per real server in keepalived.conf)
      const hcBack = parsed.services[0]!.healthCheck ?? parsed.services[0]!.destinationHealthChecks[0] ?? null;
      expect(hcBack).toEqual(valid.services[0]!.healthCheck);
    }), { numRuns: 800 });
  });
});
