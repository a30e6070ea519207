import { describe, expect, it } from "vitest";
import { failingHops, membershipMarks, membershipVerdict, withoutVerifiedHostIssues } from "./membershipVerdict.ts";
import type { HostCheck } from "./hostChecks.ts";

const chk = (id: string, ok: boolean, memberships = ["m-dr"]): HostCheck => ({ id, ok, expected: "x", observed: ok ? "x" : "absent", memberships });
const report = (checks: HostCheck[]) => ({ checks, errors: [], revision: 3, at: 1 });

describe("membershipVerdict", () => {
  it("unknown without an agent or a report; verified when every check of the membership passes", () => {
    expect(membershipVerdict("m-dr", { hasAgent: false, report: null })).toMatchObject({ state: "unknown", reason: "no-agent" });
    expect(membershipVerdict("m-dr", { hasAgent: true, report: null })).toMatchObject({ state: "unknown", reason: "no-report" });
    const v = membershipVerdict("m-dr", { hasAgent: true, report: report([chk("address lo 10.0.0.100/32", true), chk("sysctl x", false, ["other"])]) });
    expect(v.state).toBe("verified");
    expect(v.checks.map((c) => c.id)).toEqual(["address lo 10.0.0.100/32"]);
  });

  it("failing names the failing checks, including a director's prerequisite; a membership newer than the report is unknown", () => {
    const v = membershipVerdict("m-dr", { hasAgent: true, report: report([chk("address lo 10.0.0.100/32", false), chk("sysctl net.ipv4.conf.all.arp_ignore", true)]) },
      [{ name: "lvs1", checks: [chk("module ip_vs", false)] }]);
    expect(v.state).toBe("failing");
    expect(v.failing.map((c) => `${c.on}:${c.id}`)).toEqual(["realServer:address lo 10.0.0.100/32", "director:module ip_vs"]);
    expect(membershipVerdict("m-new", { hasAgent: true, report: report([chk("a", true)]) })).toMatchObject({ state: "unknown", reason: "not-in-report" });
    // a director's failing prerequisite is shown even for a real server without an agent
    expect(membershipVerdict("m-dr", { hasAgent: false, report: null }, [{ name: "lvs1", checks: [chk("sysctl net.ipv4.ip_forward", false)] }]).state).toBe("failing");
  });

  it("failing hops per mode: DR VIP on lo breaks director→RS and the reply; ARP breaks the request; NAT route breaks the reply; ip_forward on the director breaks NAT's return", () => {
    const on = "realServer" as const;
    expect([...failingHops("dr", [{ ...chk("address lo 10.0.0.100/32", false), on }]).keys()]).toEqual([1, 2]);
    expect([...failingHops("dr", [{ ...chk("sysctl net.ipv4.conf.all.arp_ignore", false), on }]).keys()]).toEqual([0]);
    expect([...failingHops("nat", [{ ...chk("route inet default", false), on }]).keys()]).toEqual([2]);
    expect([...failingHops("tun", [{ ...chk("module ipip", false), on }, { ...chk("address tunl0 10.0.0.101/32", false), on }]).keys()]).toEqual([1, 2]);
    expect([...failingHops("nat", [{ ...chk("sysctl net.ipv4.ip_forward", false), on: "director" }]).keys()]).toEqual([2, 3]);
  });

  it("hides the declared-host warnings only for real servers whose agent reported", () => {
    const issues = [
      { code: "dr.vip-not-on-loopback", objectId: "rs1" }, { code: "dr.vip-not-on-loopback", objectId: "rs2" },
      { code: "dr.rip-outside-dip-subnet", objectId: "rs1" },
    ];
    expect(withoutVerifiedHostIssues(issues, new Set(["rs1"]))).toEqual([issues[1], issues[2]]);
    expect(withoutVerifiedHostIssues(issues, new Set())).toEqual(issues);
  });

  it("canvas marks: ✗ as soon as one check of the membership fails, ✓ when all pass", () => {
    const marks = membershipMarks([report([chk("a", true, ["m1", "m2"]), chk("b", false, ["m2"])]), report([chk("c", true, ["m3"])])]);
    expect([...marks]).toEqual([["m1", "verified"], ["m2", "failing"], ["m3", "verified"]]);
  });
});
