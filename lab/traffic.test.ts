/**
 * Real kernel, real packets: LVS-NAT between network namespaces inside one lab VM
 * (lab/scripts/nat-traffic.sh). Checks that our listing parsers read every listing the kernel and
 * ipvsadm print after known traffic, that the numbers match what was sent, and that the scheduler
 * sequences observed through real connections match lab/fixtures/scheduler-sequences.json
 * (LAB_UPDATE_FIXTURES=1 rewrites it). Then our schedulers (lvs/schedulers/) are held against the
 * kernel decision by decision: lc/wlc/sed/nq/fo/ovf/lblc/lblcr (and wlc with -x) with held ESTABLISHED
 * connections, replayed from the kernel's own counters; sh/mh over 16 client addresses and dh over
 * 16 VIPs; rr/wrr across live -a/-e/-d (lab/schedulerReplay.ts); persistence with -M over 16 clients
 * against the engine's template key.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  mergeListings, parseConnections, parseList, parseProcConnections, parseProcIpvs, parseProcStats, parseRate, parseStats, parseTimeouts,
  type ServiceListing, type StatsListing,
} from "../lvs/formats/listings/index.ts";
import type { ConnectionEntry, Counters, IpvsServiceKey } from "../lvs/model.ts";
import { mergeTimeouts } from "../lvs/tableBuilder.ts";
import { labManifest, runInVm, splitSections } from "./vm.ts";
import { listingPicker, pickHashed, replayTranscript } from "./schedulerReplay.ts";
import { maskedClient } from "../agent/engines/userspace/persistence.ts";
import { schedulers } from "../lvs/schedulers/registry.ts";
import { createDestination } from "../lvs/schedulers/destination.ts";

const LAB = process.env.LVS_LAB_DIR;
const SCRIPT = path.join(import.meta.dirname, "scripts", "nat-traffic.sh");
const FIXTURE = path.join(import.meta.dirname, "fixtures", "scheduler-sequences.json");
const VIP = "192.168.1.1";
const RS = ["10.0.1.2", "10.0.2.2", "10.0.3.2"];
const MAIN_REQUESTS = 6;
const SEQ_REQUESTS = 12;
const SCHEDULERS = ["rr", "wrr", "lc", "wlc", "sed", "nq", "fo", "ovf", "lblc", "lblcr", "dh", "sh", "mh"];
const TOTAL = MAIN_REQUESTS + SEQ_REQUESTS * SCHEDULERS.length;
const HELD = ["lc", "wlc", "sed", "nq", "fo", "ovf", "wlc-x", "lblc", "lblcr"];
const HELD_PATTERN = ["H", "C", "H", "H", "C", "H", "H", "H", "C", "H", "C", "H"];
const HASH_CLIENTS = 16;
const ADD_ORDER = RS.map((address, j) => ({ address, port: 80, weight: 3 - j }));
/** list_add_rcu: newest first (ipvsadm -Ln sorts its output, /proc/net/ip_vs does not) */
const KERNEL_ORDER = RS.map((a) => `${a}:80`).reverse();

const tcp = (port: number): IpvsServiceKey => ({ protocol: "tcp", family: "inet", address: VIP, port });
const keyText = (k: IpvsServiceKey) => (k.protocol === "fwmark" ? `fwm:${k.fwmark}` : `${k.protocol}:${k.address}:${k.port}`);
const add = (a: Counters, b: Counters): Counters => ({
  conns: a.conns + b.conns, inPkts: a.inPkts + b.inPkts, outPkts: a.outPkts + b.outPkts,
  inBytes: a.inBytes + b.inBytes, outBytes: a.outBytes + b.outBytes,
});
const ZERO: Counters = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
const connView = (e: ConnectionEntry) =>
  `${e.protocol} ${e.client.address}:${e.client.port} ${e.virtual.address}:${e.virtual.port} ${e.destination.address}:${e.destination.port} ${e.state}`;
const answers = (text: string) => text.split("\n").filter((l) => l !== "");

describe.skipIf(!LAB)("real kernel: LVS-NAT traffic between namespaces, listings and scheduler sequences", () => {
  let sec = new Map<string, string>();
  let timing = "";

  beforeAll(async () => {
    const vm = await runInVm({
      script:
        `REQUESTS=${MAIN_REQUESTS} SEQ_REQUESTS=${SEQ_REQUESTS} SCHEDULERS="${SCHEDULERS.join(" ")}" ` +
        `HELD_SCHEDULERS="${HELD.join(" ")}" HELD_PATTERN="${HELD_PATTERN.join(" ")}" HASH_CLIENTS=${HASH_CLIENTS}\n${readFileSync(SCRIPT, "utf8")}`,
      timeoutMs: 540_000, // ~90 s on a quiet 2-core machine; a loaded one (another VM beside it) takes several times that
    });
    if (vm.exitCode !== 0) throw new Error(`nat-traffic.sh exited ${vm.exitCode}:\n${vm.output.slice(-3000)}`);
    sec = splitSections(vm.output);
    const held = HELD.length * HELD_PATTERN.length;
    timing =
      `traffic: ${TOTAL} HTTP requests through LVS-NAT, then ${held} held/closed steps, ${3 * HASH_CLIENTS} hashed requests and 66 across live edits; ` +
      `boot ${vm.bootMs} ms, total ${vm.durationMs} ms`;
  }, 600_000);
  afterAll(() => console.log(`[lab] ${timing}`));

  const get = (name: string): string => {
    const v = sec.get(name);
    if (v === undefined) throw new Error(`section ${name} missing from the VM output`);
    return v;
  };

  it("rr on VIP:80 alternates between the two real servers, newest-added first", () => {
    expect(answers(get("main-answers"))).toEqual(["10.0.2.2:80", "10.0.1.2:80", "10.0.2.2:80", "10.0.1.2:80", "10.0.2.2:80", "10.0.1.2:80"]);
  });

  it("ipvsadm -Ln: services, Masq destinations and inactive connections match the traffic", () => {
    const ln = parseList(get("ln"));
    expect(ln.services).toHaveLength(1 + SCHEDULERS.length);
    const main = ln.services.find((s) => keyText(s.key) === keyText(tcp(80)))!;
    expect(main.scheduler).toBe("rr");
    expect(main.destinations.map((d) => [d.address, d.port, d.forward, d.weight, d.activeConns, d.inactConns]).sort()).toEqual([
      ["10.0.1.2", 80, "Masq", 1, 0, 3],
      ["10.0.2.2", 80, "Masq", 1, 0, 3],
    ]);
    const inact = ln.services.flatMap((s) => s.destinations).reduce((n, d) => n + d.inactConns, 0);
    expect(inact).toBe(TOTAL);
  });

  it("ipvsadm -Ln --stats --exact: conns = requests, per-RS split per rr, packets and bytes consistent", () => {
    const st = parseStats(get("stats-exact"));
    const main = st.services.find((s) => keyText(s.key) === keyText(tcp(80)))!;
    expect(main.counters.conns).toBe(MAIN_REQUESTS);
    expect(main.destinations.map((d) => d.counters.conns)).toEqual([MAIN_REQUESTS / 2, MAIN_REQUESTS / 2]);
    for (const s of st.services) {
      expect(s.counters.conns).toBe(s.key.protocol !== "fwmark" && s.key.port === 80 ? MAIN_REQUESTS : SEQ_REQUESTS);
      // a service's counters are the sum of its destinations'
      expect(s.destinations.reduce((a, d) => add(a, d.counters), ZERO)).toEqual(s.counters);
      // each TCP connection: SYN, ACK, request, FIN... in; SYN-ACK, response, FIN... out; >= 40 bytes each
      expect(s.counters.inPkts).toBeGreaterThanOrEqual(3 * s.counters.conns);
      expect(s.counters.outPkts).toBeGreaterThanOrEqual(3 * s.counters.conns);
      expect(s.counters.inBytes).toBeGreaterThanOrEqual(40 * s.counters.inPkts);
      expect(s.counters.outBytes).toBeGreaterThanOrEqual(40 * s.counters.outPkts);
    }
  });

  it("--stats without --exact reads the same (small) numbers", () => {
    expect(parseStats(get("stats"))).toEqual(parseStats(get("stats-exact")));
  });

  it("ipvsadm -Ln --rate --exact parses; the estimator saw the traffic", () => {
    const rt = parseRate(get("rate-exact"));
    expect(rt.services).toHaveLength(1 + SCHEDULERS.length);
    const all = rt.services.flatMap((s) => [s.rates, ...s.destinations.map((d) => d.rates)]);
    for (const r of all) for (const v of Object.values(r)) expect(v).toBeGreaterThanOrEqual(0);
    expect(rt.services.reduce((n, s) => n + s.rates.inBps, 0)).toBeGreaterThan(0);
  });

  it("mergeListings combines -Ln, --stats and --rate into one snapshot", () => {
    const snap = mergeListings(parseList(get("ln")), parseStats(get("stats-exact")), parseRate(get("rate-exact")), 1234);
    const main = snap.services.find((s) => keyText(s.key) === keyText(tcp(80)))!;
    expect(main.counters.conns).toBe(MAIN_REQUESTS);
    expect(main.destinations.map((d) => [d.address, d.counters.conns, d.inactConns]).sort()).toEqual([
      ["10.0.1.2", 3, 3],
      ["10.0.2.2", 3, 3],
    ]);
  });

  it("ipvsadm -Lnc and /proc/net/ip_vs_conn list the same connections, one per request", () => {
    const lnc = parseConnections(get("lnc"));
    const proc = parseProcConnections(get("proc-ip_vs_conn"));
    expect(lnc.skipped).toEqual([]);
    expect(proc.skipped).toEqual([]);
    expect(lnc.entries).toHaveLength(TOTAL);
    expect(lnc.entries.map(connView).sort()).toEqual(proc.entries.map(connView).sort());
    for (const e of lnc.entries) {
      expect(e).toMatchObject({ protocol: "tcp", state: "TIME_WAIT", client: { address: "192.168.1.2" }, virtual: { address: VIP } });
      expect(RS).toContain(e.destination.address);
      expect(e.expiresIn).toBeGreaterThan(0);
      expect(e.expiresIn).toBeLessThanOrEqual(120);
    }
    const main = lnc.entries.filter((e) => e.virtual.port === 80);
    expect(main.map((e) => e.destination.address).sort()).toEqual(["10.0.1.2", "10.0.1.2", "10.0.1.2", "10.0.2.2", "10.0.2.2", "10.0.2.2"]);
  });

  it("/proc/net/ip_vs describes the same table as ipvsadm -Ln", () => {
    const view = (l: ServiceListing) =>
      l.services
        .map((s) => `${keyText(s.key)} ${s.scheduler} ${s.destinations.map((d) => `${d.address}:${d.port}/${d.forward}/${d.weight}/${d.activeConns}/${d.inactConns}`).sort().join(",")}`)
        .sort();
    expect(view(parseProcIpvs(get("proc-ip_vs")))).toEqual(view(parseList(get("ln"))));
  });

  it("/proc/net/ip_vs_stats totals are the sums over all services", () => {
    const st: StatsListing = parseStats(get("stats-exact"));
    const total = st.services.reduce((a, s) => add(a, s.counters), ZERO);
    expect(total.conns).toBe(TOTAL);
    expect(parseProcStats(get("proc-ip_vs_stats")).counters).toEqual(total);
  });

  it("scheduler sequences through real connections match lab/fixtures/scheduler-sequences.json", () => {
    const procOrder = parseProcIpvs(get("proc-ip_vs"));
    const services = SCHEDULERS.map((scheduler, i) => {
      const port = 8001 + i;
      const listed = procOrder.services.find((s) => keyText(s.key) === keyText(tcp(port)))!;
      return {
        scheduler,
        service: `-t ${VIP}:${port}`,
        destinationsInAddOrder: RS.map((address, j) => ({ address, port: 80, weight: 3 - j })),
        kernelListOrder: listed.destinations.map((d) => `${d.address}:${d.port}`),
        observed: answers(get(`seq-${scheduler}`)),
      };
    });
    for (const s of services) expect(s.observed).toHaveLength(SEQ_REQUESTS);
    const m = labManifest();
    const fixture = {
      about:
        "Real-server choices of Linux IPVS schedulers observed through real TCP connections in the lab VM " +
        "(lab/scripts/nat-traffic.sh, checked by lab/traffic.test.ts; LAB_UPDATE_FIXTURES=1 rewrites this file). " +
        "One client 192.168.1.2 opens sequential HTTP/1.0 connections to the VIP, LVS-NAT; each connection is closed " +
        "before the next (TIME_WAIT = inactive, so ActiveConn stays 0). Destinations were added in destinationsInAddOrder; " +
        "the kernel keeps them newest first (kernelListOrder, as /proc/net/ip_vs prints).",
      kernel: m.kernelVersion,
      ipvsadm: m.ipvsadmVersion,
      services,
    };
    if (process.env.LAB_UPDATE_FIXTURES === "1") writeFileSync(FIXTURE, JSON.stringify(fixture, null, 2) + "\n");
    if (!existsSync(FIXTURE)) throw new Error(`${FIXTURE} missing: run the lab tests once with LAB_UPDATE_FIXTURES=1`);
    const want = JSON.parse(readFileSync(FIXTURE, "utf8")) as typeof fixture;
    expect(services).toEqual(want.services);
  });

  it("lc wlc sed nq fo ovf lblc lblcr with held (ESTABLISHED) connections: every kernel decision is what our scheduler picks from the kernel's own counters", () => {
    let decisions = 0;
    for (const label of HELD) {
      const scheduler = label.replace(/-x$/, "");
      const upper: Record<string, number> = label.endsWith("-x") ? { "10.0.1.2:80": 3 } : {};
      const pick = listingPicker(scheduler, KERNEL_ORDER, upper);
      const picks: string[] = [];
      let prev = parseList(get(`held-${label}-0`)).services[0]!.destinations;
      for (let k = 1; k <= HELD_PATTERN.length; k++) {
        const [head, ...rest] = get(`held-${label}-${k}`).split("\n");
        const cur = parseList(rest.join("\n")).services[0]!.destinations;
        const by = (l: typeof cur) => new Map(l.map((d) => [`${d.address}:${d.port}`, d]));
        const before = by(prev);
        let observed: string;
        if (head === "hold") {
          const grew = cur.filter((d) => d.activeConns === before.get(`${d.address}:${d.port}`)!.activeConns + 1).map((d) => `${d.address}:${d.port}`);
          expect(grew, `${label} step ${k}: exactly one server gained an active connection`).toHaveLength(1);
          observed = grew[0]!;
        } else {
          observed = head!.replace(/^answer /, "");
          const d = by(cur).get(observed)!;
          expect(d.inactConns, `${label} step ${k}: the closed request is an inactive entry`).toBe(before.get(observed)!.inactConns + 1);
        }
        expect(`${label} step ${k}: ${pick(prev)}`).toBe(`${label} step ${k}: ${observed}`);
        decisions++;
        picks.push(observed);
        prev = cur;
      }
      // lblc/lblcr leave their cached server once it is overloaded in their sense (active > weight)
      if (scheduler.startsWith("lblc")) expect(new Set(picks).size, `${label} moved between servers`).toBe(3);
      // the pattern really produced active connections for the scheduler to weigh
      expect(prev.reduce((n, d) => n + d.activeConns, 0)).toBe(HELD_PATTERN.filter((x) => x === "H").length);
    }
    expect(decisions).toBe(HELD.length * HELD_PATTERN.length);
  });

  it("sh and mh over many client addresses, dh over many VIPs: the same server as our hash tables", () => {
    const lines = (name: string) => answers(get(name)).map((l) => l.split(" ") as [string, string]);
    for (const s of ["sh", "mh"]) {
      const got = lines(`clients-${s}`);
      expect(got).toHaveLength(HASH_CLIENTS);
      expect(got.map(([client]) => `${client} ${pickHashed(s, ADD_ORDER, client, VIP)}`)).toEqual(got.map((l) => l.join(" ")));
      // several servers are hit, so the comparison is not one repeated guess
      expect(new Set(got.map((l) => l[1])).size).toBeGreaterThan(1);
    }
    const dh = lines("vips-dh");
    expect(dh).toHaveLength(HASH_CLIENTS);
    const equalWeights = ADD_ORDER.map((d) => ({ ...d, weight: 1 }));
    expect(dh.map(([vip]) => `${vip} ${pickHashed("dh", equalWeights, "192.168.1.2", vip)}`)).toEqual(dh.map((l) => l.join(" ")));
    expect(new Set(dh.map((l) => l[1])).size).toBeGreaterThan(1);
  });

  it("rr and wrr across live -a / -e / -d: the kernel's sequence is what our update hooks produce", () => {
    for (const s of ["rr", "wrr"]) {
      const transcript = answers(get(`dyn-${s}`));
      // on a mismatch the message shows the kernel's transcript beside ours, line by line
      const ours = replayTranscript(s, transcript);
      const side = `${s}, kernel | ours:\n${transcript.map((l, i) => `${l.padEnd(22)} | ${ours[i]}`).join("\n")}`;
      expect(transcript.filter((l) => !l.startsWith("@ ")), side).toHaveLength(33);
      expect(ours, side).toEqual(transcript);
    }
    // the two sequences differ, so the comparison can tell the schedulers (and their hooks) apart
    const wrr = answers(get("dyn-wrr"));
    expect(replayTranscript("rr", wrr)).not.toEqual(wrr);
  });

  it("persistence -p 60 -M 255.255.255.248: one server per client /29 like the engine's templates; the kernel lists the templates", () => {
    const got = answers(get("clients-persist")).map((l) => l.split(" ") as [string, string]);
    expect(got).toHaveLength(2 * HASH_CLIENTS);
    // the userspace engine's template key (masked client) and rr on a template miss
    const rr = schedulers.create("rr");
    const list = KERNEL_ORDER.map((k) => createDestination("inet", k.split(":")[0]!, 80, { weight: 1, upperThreshold: 0, lowerThreshold: 0 }));
    rr.init?.({ family: "inet", flags: [] }, list);
    const templates = new Map<string, string>();
    const ours = got.map(([client]) => {
      const key = maskedClient("inet", client, "255.255.255.248");
      let d = templates.get(key);
      if (d === undefined) {
        const c = { destinations: list, clientAddress: client, clientPort: 0, clientFold: 0, virtualAddress: VIP, virtualFold: 0, now: 0, random: () => 0 };
        const picked = rr.schedule(c)!;
        d = `${picked.address}:${picked.port}`;
        templates.set(key, d);
      }
      return `${client} ${d}`;
    });
    expect(ours).toEqual(got.map((l) => l.join(" ")));
    expect(templates.size).toBe(3); // .100-.103, .104-.111 and .112-.115 (HASH_CLIENTS = 16)
    // the kernel's templates: client = the masked address, port 0, one per /29; state ASSURED (not
    // NONE) once a connection they control was established — the engine lists them the same way
    const persistent = parseConnections(get("persist-lnc")).entries.filter((e) => e.virtual.port === 8203 && e.client.port === 0);
    expect(new Set(persistent.map((e) => e.state))).toEqual(new Set(["ASSURED"]));
    expect(persistent.map((e) => `${e.client.address} ${e.destination.address}:${e.destination.port}`).sort()).toEqual(
      [...templates].map(([k, d]) => `${k} ${d}`).sort(),
    );
  });

  it("-Z zeroes one service and its real servers, then all; --set sets the idle timeouts, 0 keeps a value (parseTimeouts, mergeTimeouts)", () => {
    const before = parseStats(get("zero-before"));
    const one = parseStats(get("zero-one"));
    const all = parseStats(get("zero-all"));
    const isVip80 = (k: IpvsServiceKey) => k.protocol === "tcp" && k.address === "192.168.1.1" && k.port === 80;
    const zeroed = (c: Counters) => c.conns === 0 && c.inPkts === 0 && c.outPkts === 0 && c.inBytes === 0 && c.outBytes === 0;
    expect(before.services.find((s) => isVip80(s.key))!.counters.conns).toBeGreaterThan(0);
    expect(before.services.filter((s) => !isVip80(s.key)).some((s) => s.counters.conns > 0)).toBe(true);
    // (a closing connection can still send a packet after -Z: the other services are compared by
    // connections, which only a new connection changes, and by packets never going down)
    const find = (l: StatsListing, k: IpvsServiceKey) => l.services.find((x) => keyText(x.key) === keyText(k))!;
    for (const s of one.services) {
      if (isVip80(s.key)) {
        expect(zeroed(s.counters)).toBe(true);
        expect(s.destinations.every((d) => zeroed(d.counters))).toBe(true);
      } else {
        const b = find(before, s.key);
        expect(s.counters.conns).toBe(b.counters.conns);
        expect(s.counters.inPkts).toBeGreaterThanOrEqual(b.counters.inPkts);
      }
    }
    for (const s of all.services) {
      const b = find(before, s.key);
      expect(s.counters.conns).toBe(0);
      expect(s.destinations.map((d) => d.counters.conns)).toEqual(s.destinations.map(() => 0));
      if (b.counters.inPkts > 10) expect(s.counters.inPkts).toBeLessThan(b.counters.inPkts);
    }

    const def = parseTimeouts(get("timeout-default"));
    expect(def).toEqual({ tcp: 900, tcpfin: 120, udp: 300 });
    expect(parseTimeouts(get("timeout-set"))).toEqual(mergeTimeouts(def, { tcp: 1200, tcpfin: 90, udp: 200 }));
    expect(parseTimeouts(get("timeout-partial"))).toEqual(mergeTimeouts({ tcp: 1200, tcpfin: 90, udp: 200 }, { tcp: 0, tcpfin: 60, udp: 0 }));
    expect(parseTimeouts(get("timeout-partial"))).toEqual({ tcp: 1200, tcpfin: 60, udp: 200 });
    // ipvsadm refuses what mergeTimeouts refuses, and the kernel keeps its values
    expect(get("timeout-refused")).toMatch(/^rc [1-9]/m);
    expect(() => mergeTimeouts(def, { tcp: 2678401, tcpfin: 0, udp: 0 })).toThrow(/invalid timeout value/);
    expect(parseTimeouts(get("timeout-refused").replace(/^rc .*$/m, ""))).toEqual({ tcp: 1200, tcpfin: 60, udp: 200 });
  });
});
