import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { formatProblem, parseRules } from "./parse.ts";
import { renderCommands, renderRules } from "./render.ts";
import { canonicalTable } from "../../canonical.ts";
import { ipvsTableArbitrary } from "../../testing/arbitraries.ts";

const errorsOf = (text: string) => parseRules(text).errors.map(formatProblem);
const warningsOf = (text: string) => parseRules(text).warnings.map(formatProblem);

describe("parseRules: accepted forms", () => {
  it("reads ipvsadm-save output, command lines, long/short/bundled options and service names", () => {
    const r = parseRules([
      "# saved by ipvsadm-save",
      "",
      "ipvsadm -A -t 10.0.0.1:http -s rr",
      "-a -t 10.0.0.1:80 -r 10.0.1.1 -m -w 3",
      "--add-server --tcp-service=10.0.0.1:www --real-server 10.0.1.2:8080 --masquerading --weight=0",
      "-At 10.0.0.2:https -p",
      "-Au [2001:db8::53]:domain -s sh -b sh-port -o",
      "-a -u [2001:db8::53]:53 -r 2001:db8::1 -gw5",
      "-A -f 7 -6 -p 120 -M 64",
      "-A --sctp-service 10.0.0.3:3868 -s mh -b mh-fallback,mh-port",
      "-A -t 10.0.0.4:0 --persistent 60 --netmask 255.255.0.0 --pe sip",
    ].join("\n"));
    expect(r.errors).toEqual([]);
    expect(renderRules(r.table)).toBe([
      "-A -t 10.0.0.1:80 -s rr",
      "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 3",
      "-a -t 10.0.0.1:80 -r 10.0.1.2:8080 -m -w 0",
      "-A -t 10.0.0.2:443 -s wlc -p 360",
      "-A -t 10.0.0.4:0 -s wlc -p 60 -M 255.255.0.0 --pe sip",
      "-A --sctp-service 10.0.0.3:3868 -s mh -b mh-fallback,mh-port",
      "-A -u [2001:db8::53]:53 -s sh -o -b sh-port",
      "-a -u [2001:db8::53]:53 -r [2001:db8::1]:53 -g -w 5",
      "-A -f 7 -6 -s wlc -p 120 -M 64",
      "",
    ].join("\n"));
  });

  it("replays -E, -e, -d, -D and -C like the kernel", () => {
    const r = parseRules([
      "-A -t 10.0.0.1:80",
      "-a -t 10.0.0.1:80 -r 10.0.1.1 -w 2",
      "-a -t 10.0.0.1:80 -r 10.0.1.2",
      "-E -t 10.0.0.1:80 -s rr -p 5",
      "-e -t 10.0.0.1:80 -r 10.0.1.1 -x 10",
      "-d -t 10.0.0.1:80 -r 10.0.1.2",
      "-A -t 10.0.0.9:80",
      "-D -t 10.0.0.9:80",
    ].join("\n"));
    expect(r.errors).toEqual([]);
    expect(renderRules(r.table)).toBe("-A -t 10.0.0.1:80 -s rr -p 5\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 1 -x 10\n");
    expect(parseRules("-A -t 10.0.0.1:80\n-C\n").table.services).toEqual([]);
  });
});

describe("parseRules: errors name the line, the option and the rule", () => {
  it.each([
    ["-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.1.1\n-a -t 10.0.0.1:80 -r 10.0.1.1 -y 10",
      "line 3: -y 10 without -x: the lower threshold needs an upper threshold"],
    ["-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.1.1 -x 5 -y 10", "line 2: -y 10 above -x 5"],
    ["-a -t 10.0.0.1:80 -r 10.0.1.1", "line 1: Service not defined (TCP 10.0.0.1:80): the service must be defined (-A) on an earlier line"],
    ["-A -t 10.0.0.1:80\n-A -t 10.0.0.1:80", "line 2: Service already exists (TCP 10.0.0.1:80)"],
    ["-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.1.1\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -w 2", "line 3: Destination already exists"],
    ["-e -t 10.0.0.1:80 -r 10.0.1.1", "line 1: Service not defined"],
    ["-A -t 10.0.0.1:80\n-d -t 10.0.0.1:80 -r 10.0.1.1", "line 2: No such destination"],
    ["-E -t 10.0.0.1:80 -s rr", "line 1: No such service"],
    ["-A -t 10.0.0.1:0", "line 1: port 0 without -p"],
    ["-A -t 10.0.0.1:80 -o", "line 1: -o on a TCP service: one-packet scheduling is only for UDP and fwmark services"],
    ["-A -t 10.0.0.1:80 -b sh-port", "line 1: -b sh-port with -s wlc (the default): sh-port needs -s sh"],
    ["-A -t 10.0.0.1:80 -s rr -b bogus", "line 1: -b bogus: invalid scheduler flag"],
    ["-A -t 10.0.0.1:80 -s fancy", "line 1: -s fancy: unknown scheduler"],
    ["-A -t 10.0.0.1:80 --pe ftp", "line 1: --pe ftp: unknown persistence engine"],
    ["-A -t 10.0.0.1:80 -p 0", "line 1: -p 0: invalid persistence timeout"],
    ["-A -t 10.0.0.1:80 -p -M 24", "line 1: -M 24: an IPv4 service takes a dotted netmask such as 255.255.255.0 (ipvsadm would read 24 as the address 0.0.0.24)"],
    ["-A -t [2001:db8::1]:80 -p -M 129", "line 1: -M 129: an IPv6 service takes a prefix length 1..128"],
    ["-A -t 10.0.0.1:80 -w 3", "line 1: -w is not allowed with -A (ipvsadm: Illegal 'weight' option with the 'add-service' command)"],
    ["-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -w 3", "line 2: -a needs a real server (-r)"],
    ["-A -t 10.0.0.1:80 -f 3", "line 1: -f after -t: multiple 'service-address' options specified"],
    ["-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.1.1 -g -m", "line 2: -m after -g: multiple 'forwarding-method' options specified"],
    ["-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.1.1 -w 70000", "line 2: -w 70000: illegal weight (0..65535)"],
    ["-A -6 -f 1", "line 1: -6 used before -f"],
    ["-A -t www.example.com:80", "line 1: -t www.example.com:80: illegal virtual server address[:port]"],
    ["-A -t 10.0.0.1:nosuchport", "line 1: -t 10.0.0.1:nosuchport: illegal virtual server address[:port]: \"10.0.0.1:nosuchport\": unknown port name"],
    ["-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r [2001:db8::1]:80 -m", "line 2: -r [2001:db8::1]:80: an IPv6 real server in an IPv4 service: a different address family is allowed only for tunneling servers (-i)"],
    ["-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.1.1 -m --tun-type gue", "line 2: tunnel options (--tun-*) need -i"],
    ["-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-type gue", "line 2: --tun-type gue needs --tun-port PORT"],
    ["-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-port 5", "line 2: --tun-port is not allowed with --tun-type ipip"],
    ["-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-type gre --tun-remcsum", "line 2: --tun-remcsum is not allowed with --tun-type gre"],
    ["-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.1.1 -i --tun-type gue --tun-port 1 --tun-csum --tun-nocsum", "line 2: --tun-nocsum conflicts with --tun-csum"],
    ["-A -t 10.0.0.1:80 -q", "line 1: -q: not an ipvsadm option"],
    ["-A -t", "line 1: -t needs a value"],
    ["-t 10.0.0.1:80 -A", "line 1: -t: ipvsadm needs a command first"],
    ["-A -D -t 10.0.0.1:80", "line 1: -D after -A: multiple commands specified"],
    ["-A -t 10.0.0.1:80 extra", "line 1: unexpected argument extra"],
    ["/sbin/ipvsadm -A -t 10.0.0.1:80", "line 1: unexpected argument /sbin/ipvsadm: ipvsadm -R skips only the bare word \"ipvsadm\", not a path"],
    ["-A -f 1 -6\n-D -f 1", "line 2: No such service (FWM 1): the service must be defined (-A) on an earlier line (an IPv6 service -f 1 -6 exists: add -6 after -f)"],
    ["-A -f 1 -6\n-a -f 1 -r [2001:db8::1]:0", "line 2: -r [2001:db8::1]:0: an IPv6 real server in an IPv4 service: a different address family is allowed only for tunneling servers (-i); an IPv6 fwmark service is written -f 1 -6"],
    ["-R", "line 1: -R inside a rules stream makes ipvsadm exit"],
    ["-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.1.1 -b", "line 2: -b used as a forwarding method is FULLNAT from forked ipvsadm builds (Alibaba LVS/DPVS)"],
    ["-A -t 10.0.0.1:80 -s rr -b", "line 1: -b used as a forwarding method is FULLNAT"],
    ["-P -t 10.0.0.1:80 -z 10.9.0.1", "line 1: -P (add local address) is a FULLNAT command of forked ipvsadm builds"],
    ["-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.1.1 -z 10.9.0.1", "line 2: -z is a FULLNAT local-address option of forked ipvsadm builds (Alibaba LVS/DPVS); mainline ipvsadm does not support it"],
    ["-A -t 10.0.0.1:80 -j enable", "line 1: -j is the SYN-proxy option"],
  ])("%j", (text, expected) => {
    const errs = errorsOf(text);
    expect(errs.length).toBeGreaterThan(0);
    expect(errs[0]).toContain(expected);
  });

  it("reports every broken line and does not repeat a failed -A on its -a lines", () => {
    const errs = errorsOf("-A -t 10.0.0.1:80 -s nope\n-a -t 10.0.0.1:80 -r 10.0.1.1\n-A -t 10.0.0.2:80 -o\n-A -t 10.0.0.3:80\n");
    expect(errs.map((e) => e.split(":")[0])).toEqual(["line 1", "line 3"]);
  });
});

describe("parseRules: warnings", () => {
  it.each([
    ["-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.1.1:8080 -g", "line 2: -r 10.0.1.1:8080 with -g: ipvsadm uses the service port 80"],
    ["-A -t 10.0.0.1:80 -M 255.255.255.0", "line 1: -M 255.255.255.0 without -p has no effect"],
    ["-A -f 1 -p -M 64 -6", "line 1: -M 64 before -6: ipvsadm resets the mask to /128"],
    ["-A -t 10.0.0.1:80 # web", "line 1: trailing comment"],
    ["-L -n", "line 1: -L lists the table and does not change it"],
    ["-A -f -1294967296 -s rr", "line 1: -f -1294967296: read as mark 3000000000 (ipvsadm 1.31 -S prints marks above 2^31-1 as negative numbers"],
  ])("%j", (text, expected) => {
    expect(warningsOf(text)[0]).toContain(expected);
    expect(errorsOf(text)).toEqual([]);
  });
});

describe("parse ∘ render", () => {
  it("parseRules(renderRules(t)) equals the canonical t, with no problems", () => {
    fc.assert(
      fc.property(ipvsTableArbitrary(), (table) => {
        const text = renderRules(table);
        const r = parseRules(text);
        expect(r.errors).toEqual([]);
        expect(r.warnings).toEqual([]);
        expect(r.table).toEqual(canonicalTable(table));
      }),
      { numRuns: 300 },
    );
  });
  it("the exported commands script (#!/bin/sh, set -e, ipvsadm …) reads back as the same table, timeouts included", () => {
    fc.assert(
      fc.property(ipvsTableArbitrary(), fc.option(fc.record({ tcp: fc.nat(2678400), tcpfin: fc.nat(2678400), udp: fc.nat(2678400) }), { nil: undefined }), (table, timeouts) => {
        const withTimeouts = timeouts ? { ...table, timeouts } : table;
        const r = parseRules(renderCommands(withTimeouts));
        expect(r.errors).toEqual([]);
        expect(r.warnings).toEqual([]);
        expect(r.table).toEqual(timeouts ? { ...canonicalTable(table), timeouts } : canonicalTable(table));
      }),
      { numRuns: 200 },
    );
  });
  it("the ipvsadm-save view (no thresholds) also round-trips", () => {
    fc.assert(
      fc.property(ipvsTableArbitrary({ thresholds: false }), (table) => {
        expect(parseRules(renderRules(table, { thresholds: false })).table).toEqual(canonicalTable(table));
      }),
      { numRuns: 100 },
    );
  });
});
