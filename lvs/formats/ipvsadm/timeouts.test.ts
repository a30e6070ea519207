// `ipvsadm --set tcp tcpfin udp`, as the kernel lab showed it (Debian 6.1, ipvsadm 1.31): defaults
// 900 120 300, 0 keeps a value, 0..2678400 accepted, -S never prints it, -R reads it.
import { describe, expect, it } from "vitest";
import { parseRules } from "./parse.ts";
import { renderBatch, renderCommands, renderRules } from "./render.ts";
import { plan, describeOp } from "../../reconcile.ts";
import { compileDirector } from "../../compile.ts";
import { topologySchema } from "../../schemas.ts";
import type { IpvsTable, Topology } from "../../model.ts";

describe("--set in rules files", () => {
  it("reads a --set line into the table's timeouts; a later 0 keeps the earlier value", () => {
    const r = parseRules("--set 700 100 200\n-A -t 10.0.0.1:80 -s rr\n--set 0 60 0\n");
    expect(r.errors).toEqual([]);
    expect(r.table.timeouts).toEqual({ tcp: 700, tcpfin: 60, udp: 200 });
  });
  it("refuses what ipvsadm refuses, naming the value and the rule", () => {
    const r = parseRules("--set 1 2\n--set 2678401 0 0\n--set 10 20 30 40\n--set 1.5 0 0\n--set 10 20 30 -t 10.0.0.1:80\n");
    expect(r.errors.map((e) => [e.line, e.code])).toEqual([
      [1, "ipvsadm.set-needs-three"], [2, "ipvsadm.invalid-timeout"], [3, "ipvsadm.unexpected-argument"], [4, "ipvsadm.invalid-timeout"], [5, "ipvsadm.option-not-allowed"],
    ]);
    expect(r.errors[1]!.message).toContain("2678401");
    expect(r.table.timeouts).toBeUndefined();
  });
  it("-Z in a rules file changes no table: a warning, not an error", () => {
    const r = parseRules("-Z\n-A -t 10.0.0.1:80 -s rr\n");
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.code)).toEqual(["ipvsadm.ignored-command"]);
  });
  it("renders --set first for -R and the command script; exact ipvsadm -S bytes without it", () => {
    const t: IpvsTable = { services: [], timeouts: { tcp: 900, tcpfin: 60, udp: 300 } };
    expect(renderRules(t)).toBe("--set 900 60 300\n");
    expect(renderRules(t, { timeouts: false })).toBe("");
    expect(renderCommands(t)).toContain("\nipvsadm --set 900 60 300\n");
    expect(parseRules(renderRules(t)).table.timeouts).toEqual(t.timeouts);
  });
});

describe("timeouts in plans", () => {
  const actual: IpvsTable = { services: [], timeouts: { tcp: 900, tcpfin: 120, udp: 300 } };
  it("plans one --set when a managed value differs, none when the kernel has them (0 = leave it)", () => {
    const ops = plan(actual, { services: [], timeouts: { tcp: 3600, tcpfin: 0, udp: 0 } });
    expect(renderBatch(ops)).toBe("--set 3600 0 0\n");
    expect(describeOp(ops[0]!)).toBe("set connection timeouts: tcp 900 s, tcpfin 120 s, udp 300 s → tcp 3600 s, tcpfin unchanged, udp unchanged");
    expect(plan(actual, { services: [], timeouts: { tcp: 900, tcpfin: 0, udp: 300 } })).toEqual([]);
    expect(plan(actual, { services: [] })).toEqual([]);
  });
  it("a director's timeouts go into its compiled table; the schema refuses values ipvsadm refuses", () => {
    const doc: Topology = {
      name: "t", services: [], realServers: [], memberships: [], layout: {},
      directors: [{ id: "d1", name: "lb", managementAddress: null, interfaces: [], engine: "ipvs", timeouts: { tcp: 7200, tcpfin: 30, udp: 60 } }],
    };
    expect(compileDirector(doc, "d1").timeouts).toEqual({ tcp: 7200, tcpfin: 30, udp: 60 });
    const bad = topologySchema.safeParse({ ...doc, directors: [{ ...doc.directors[0]!, timeouts: { tcp: 2678401, tcpfin: 0, udp: -1 } }] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["directors.0.timeouts.tcp", "tcp timeout must be 0..2678400 seconds (ipvsadm refuses more)"],
      ["directors.0.timeouts.udp", "udp timeout must be 0..2678400 seconds"],
    ]);
  });
});
