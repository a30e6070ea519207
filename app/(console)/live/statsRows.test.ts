import { describe, expect, it } from "vitest";
import { FIXTURES } from "@/lvs/formats/listings/fixtures.ts";
import { parseRate, parseStats } from "@/lvs/formats/listings/stats.ts";
import { serviceKeyString } from "@/lvs/tableKey.ts";
import type { ServiceState } from "../_live/liveState.ts";
import { compileDirector } from "@/lvs/compile.ts";
import { emptyTopology, newDirector, newMembership, newRealServer, newVirtualService } from "@/lvs/defaults.ts";
import { ipvsadmText, plannedServices, statsRows } from "./statsRows.ts";

const zero = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
const zeroR = { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };

/** Live service states holding a parsed `--stats --exact` and `--rate --exact` listing, in reverse (not ipvsadm) order. */
function states(): ServiceState[] {
  const stats = parseStats(FIXTURES["stats-exact.txt"]);
  const rate = parseRate(FIXTURES["rate-exact.txt"]);
  return stats.services.map((s) => {
    const key = serviceKeyString(s.key);
    const r = rate.services.find((x) => serviceKeyString(x.key) === key);
    const destinations = new Map(
      [...s.destinations].reverse().map((d, i) => [`${d.address}|${d.port}`, {
        address: d.address, port: d.port, weight: i + 1, activeConns: 10 * (i + 1), inactConns: i, persistConns: 0,
        counters: d.counters, rates: r?.destinations.find((x) => x.address === d.address && x.port === d.port)?.rates ?? zeroR,
      }]),
    );
    return { key, counters: s.counters, rates: r?.rates ?? zeroR, destinations };
  }).reverse();
}

describe("ipvsadm text of live figures", () => {
  it("prints exactly what ipvsadm -Ln --stats --exact prints, in ipvsadm's order", () => {
    const body = FIXTURES["stats-exact.txt"].split("\n").slice(1).join("\n");
    expect(ipvsadmText(states(), "stats", true)).toBe(body);
    expect(ipvsadmText(states(), "stats", false)).toBe(FIXTURES["stats.txt"].split("\n").slice(1).join("\n"));
  });
  it("and --rate", () => {
    const rateOnly = states().filter((s) => s.key === "tcp|10.0.0.1|80" || s.key === "fwmark|inet|1");
    // the rate fixture lists FWM 1 with a destination; give it one
    rateOnly.find((s) => s.key === "fwmark|inet|1")!.destinations.set("192.168.10.1|0", {
      address: "192.168.10.1", port: 0, weight: 1, activeConns: 0, inactConns: 0, persistConns: 0, counters: zero, rates: zeroR,
    });
    expect(ipvsadmText(rateOnly, "rate", true)).toBe(FIXTURES["rate-exact.txt"].split("\n").slice(1).join("\n"));
  });
});

describe("statsRows", () => {
  it("default order is ipvsadm's: each service followed by its real servers", () => {
    const rows = statsRows(states());
    expect(rows.map((r) => `${r.kind === "service" ? "" : "  -> "}${r.name}`)).toEqual([
      "TCP 10.0.0.1:80",
      "  -> 192.168.10.1:80",
      "  -> 192.168.10.2:80",
      "UDP [2001:db8::80]:53",
      "  -> [2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:53",
      "FWM 1",
      "FWM 7 IPv6",
      "  -> [fd00::1]:0",
    ]);
    const tcp = rows[0]!;
    expect(tcp.values.conns).toBe(14209);
    expect(tcp.values.cps).toBe(35);
    // service ActiveConn = sum of its real servers
    expect(tcp.values.activeConns).toBe(rows[1]!.values.activeConns! + rows[2]!.values.activeConns!);
    expect(tcp.values.weight).toBeNull();
  });

  it("sorting by a column orders services and, inside each, real servers; grouping is kept", () => {
    const rows = statsRows(states(), { column: "conns", descending: true });
    expect(rows.filter((r) => r.kind === "service").map((r) => r.name)).toEqual(["UDP [2001:db8::80]:53", "TCP 10.0.0.1:80", "FWM 7 IPv6", "FWM 1"]);
    const tcpAt = rows.findIndex((r) => r.name === "TCP 10.0.0.1:80");
    expect(rows.slice(tcpAt + 1, tcpAt + 3).map((r) => r.name)).toEqual(["192.168.10.1:80", "192.168.10.2:80"]);
    const asc = statsRows(states(), { column: "conns", descending: false });
    const tcpAsc = asc.findIndex((r) => r.name === "TCP 10.0.0.1:80");
    expect(asc.slice(tcpAsc + 1, tcpAsc + 3).map((r) => r.name)).toEqual(["192.168.10.2:80", "192.168.10.1:80"]);
    expect(asc[0]!.name).toBe("FWM 1");
    const byName = statsRows(states(), { column: "name", descending: false }).filter((r) => r.kind === "service").map((r) => r.name);
    expect(byName).toEqual(["FWM 1", "FWM 7 IPv6", "TCP 10.0.0.1:80", "UDP [2001:db8::80]:53"]);
  });
});

describe("plannedServices", () => {
  it("lists what the document places on a director, with the destinations compileDirector would run", () => {
    const t = emptyTopology("x");
    t.directors.push(newDirector("d1", "lb1"), newDirector("d2", "lb2"));
    t.services.push(
      newVirtualService("web", { protocol: "tcp", address: "127.0.10.1", port: 80 }, { directorIds: ["d1"] }),
      newVirtualService("dns", { protocol: "udp", address: "127.0.10.2", port: 53 }, { directorIds: ["d2"] }),
    );
    t.realServers.push(newRealServer("a", "127.0.20.1", { port: 8080 }), newRealServer("b", "127.0.20.2"));
    t.memberships.push(
      newMembership("m1", "web", "a", { method: "nat" }),
      newMembership("m2", "web", "b", { method: "dr", state: "disabled" }),
      newMembership("m3", "dns", "b"),
    );
    const planned = plannedServices(t, "d1");
    const table = compileDirector(t, "d1");
    expect(planned.map((s) => s.key)).toEqual(table.services.map((s) => serviceKeyString(s)));
    expect(planned.map((s) => [...s.destinations.keys()])).toEqual(table.services.map((s) => s.destinations.map((d) => `${d.address}|${d.port}`)));
    expect(statsRows(planned).map((r) => r.name)).toEqual(["TCP 127.0.10.1:80", "127.0.20.1:8080"]);
  });
});
