/**
 * DR, TUN and NAT with real packets on the real kernel, the real servers prepared by the
 * real-server role (lab/modesLab.ts; `npm run lab:modes` prints the same result as one line).
 * Also the role's apply / idempotence / undo / fail-static on the real kernel.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { modesLine, runModesLab, type ModesLabResult } from "./modesLab.ts";

const LAB = process.env.LVS_LAB_DIR;

describe.skipIf(!LAB)("forwarding modes with real packets (lab)", () => {
  let r: ModesLabResult;
  beforeAll(async () => {
    r = await runModesLab({ requests: 6 });
  }, 1_800_000);

  it("prints the one-line summary: every mode answered, DR/TUN replies bypass the director, both failures detected", () => {
    expect(modesLine(r)).toBe(
      "modes: dr 6/6 ok (director OutPkts 0), tun 6/6 ok (director OutPkts 0), nat 6/6 ok; unprepared dr detected: yes; nat bad gateway detected: yes",
    );
    expect(r.dr.inPkts).toBeGreaterThan(0);
    expect(r.tun.inPkts).toBeGreaterThan(0);
  });

  it("unprepared real servers fail and their checks say why", () => {
    expect(r.unprepared.dr.ok).toBe(0);
    expect(r.unprepared.tun.ok).toBe(0);
    expect(r.unprepared.drChecks.find((c) => c.id === "address lo 10.0.0.100/32")).toMatchObject({ ok: false, observed: "absent" });
    expect(r.unprepared.drChecks.find((c) => c.id === "sysctl net.ipv4.conf.all.arp_ignore")).toMatchObject({ ok: false, observed: "0" });
    expect(r.unprepared.tunChecks.find((c) => c.id === "link tunl0 up")).toMatchObject({ ok: false, observed: "down" });
    // rstun ships rp_filter=1 on all: strict for tunl0 until the role makes it loose
    expect(r.unprepared.tunChecks.find((c) => c.id === "sysctl net.ipv4.conf.tunl0.rp_filter")).toMatchObject({ ok: false, observed: "0 (effective 1, all=1)" });
    expect(r.badGateway.checks).toEqual([expect.objectContaining({ id: "route inet default", ok: false, expected: "via 10.0.2.1", observed: "via 10.0.2.254" })]);
  });

  it("the director's prerequisites hold (DIPs, VIPs, ip_forward, IPVS modules)", () => {
    expect(r.director.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.director.checks.map((c) => c.id)).toEqual(expect.arrayContaining(["address br0 10.0.0.1/24", "sysctl net.ipv4.ip_forward", "module ip_vs_rr", "address * 10.0.0.100/32"]));
  });

  it("prepares each mode on the real kernel, idempotently, and undoes exactly what it set", () => {
    expect(r.prepared.dr.checks.every((c) => c.ok)).toBe(true);
    expect(r.prepared.dr.changes).toEqual(expect.arrayContaining(["addr add 10.0.0.100/32 dev lo", "sysctl net.ipv4.conf.all.arp_ignore=1 (was 0)", "sysctl net.ipv4.conf.eth0.arp_announce=2 (was 0)"]));
    expect(r.prepared.tun.changes).toEqual(["link set tunl0 up", "addr add 10.0.0.101/32 dev tunl0", "sysctl net.ipv4.conf.tunl0.rp_filter=2 (was 0)"]);
    expect(r.prepared.tun.checks.every((c) => c.ok)).toBe(true);
    expect(r.prepared.nat.changes).toEqual([]); // verify only, and its route is right
    expect(r.prepared.nat.checks.every((c) => c.ok)).toBe(true);
    expect(r.idempotentChanges).toEqual([]);
    expect(r.undo.changes).toEqual(expect.arrayContaining(["addr del 10.0.0.100/32 dev lo", "sysctl net.ipv4.conf.all.arp_ignore=0 (restored)", "addr del 10.0.0.101/32 dev tunl0", "sysctl net.ipv4.conf.tunl0.rp_filter=0 (restored)", "link set tunl0 down"]));
    expect(r.undo.drAddressesAfter).not.toContain("10.0.0.100/32");
    expect(r.undo.tunSysctlAfter).toBe("0");
    expect(r.undo.drChecks.every((c) => !c.ok)).toBe(true);
    expect(r.undo.dr.ok).toBe(0);
  });

  it("fail-static: a new role process restores its saved settings and DR answers again", () => {
    expect(r.failStatic.restored?.changes).toEqual(expect.arrayContaining(["addr add 10.0.0.100/32 dev lo"]));
    expect(r.failStatic.dr.ok).toBe(2);
  });

  it("the exported prepare script does on a host without an agent what the role does, and undoes it", () => {
    expect(r.script.code, r.script.stderr).toBe(0);
    expect(r.script.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.script.dr.ok).toBe(2);
    expect(r.script.undoChecks.every((c) => !c.ok)).toBe(true);
  });
});
