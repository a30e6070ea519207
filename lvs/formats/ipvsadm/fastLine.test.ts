import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fastLine } from "./fastLine.ts";
import { parseRules } from "./parse.ts";
import { renderRules } from "./render.ts";
import { genTable } from "../../testing/bigTable.ts";

const SERVICES = ["10.0.0.1:80", "10.0.0.1:0", "10.0.0.01:80", "10.0.0.1:080", "10.0.0.1:+80", "10.0.0.1:65536", "10.0.0.1:http", "10.0.0.1", "256.0.0.1:80",
  "[2001:db8::1]:443", "[2001:DB8:0::1]:443", "2001:db8::1", "[::ffff:1.2.3.4]:80", "[2001:db8::1]", "10.0.0.2:8000", " 10.0.0.1:80"];
const SERVERS = ["172.16.0.1:80", "172.16.0.1:8080", "172.16.0.1", "172.16.0.01:80", "172.16.0.1:0", "[2001:db8::2]:80", "[2001:db8::2]:443", "2001:db8::2",
  "172.16.0.2:http", "10.0.0.2:8000", "172.16.0.1:99999"];
const WORDS = ["-s", "rr", "wlc", "nope", "sh", "-p", "300", "0", "2678401", "-w", "1", "65535", "65536", "01", "-1", "-g", "-m", "-i", "--tun-type", "ipip", "gue",
  "-x", "10", "-y", "5", "20", "-M", "255.255.255.0", "#c", "ipvsadm", "-o", "-r", "--weight", "-6", "--", "-b", "sh-port"];

const word = fc.oneof(fc.constantFrom(...WORDS), fc.constantFrom(...SERVERS));
/** a rules line near the shapes ipvsadm -S writes: a canonical skeleton with words changed, added, dropped */
const line = fc.tuple(
  fc.oneof({ arbitrary: fc.constantFrom("-A", "-a"), weight: 4 }, fc.constantFrom("-E", "-e", "--add-server", "-d")),
  fc.oneof({ arbitrary: fc.constantFrom("-t", "-u"), weight: 4 }, fc.constantFrom("-f", "--tcp-service")),
  fc.oneof({ arbitrary: fc.constantFrom("10.0.0.1:80", "[2001:db8::1]:443", "10.0.0.2:8000"), weight: 3 }, fc.constantFrom(...SERVICES)),
  fc.oneof(
    fc.constant(["-s", "rr"]), fc.constant(["-s", "wlc", "-p", "300"]),
    fc.constant(["-r", "172.16.0.1:80", "-m", "-w", "1"]), fc.constant(["-r", "172.16.0.1:80", "-g", "-w", "3", "-x", "10", "-y", "5"]),
    fc.constant(["-r", "[2001:db8::2]:443", "-i", "-w", "2", "--tun-type", "ipip"]),
    fc.array(word, { maxLength: 9 }),
  ),
  fc.oneof({ arbitrary: fc.constant([]), weight: 2 }, fc.array(fc.tuple(fc.nat(12), fc.option(word, { nil: undefined })), { maxLength: 2 })),
  fc.oneof({ arbitrary: fc.constant(" "), weight: 6 }, fc.constantFrom("  ", "\t", " \r")),
  // a blank the general path splits at, dropped anywhere in the line (e.g. "10.0.0.1:\t80")
  fc.option(fc.tuple(fc.nat(80), fc.constantFrom("\t", "\v", "\f", "\r")), { nil: undefined, freq: 4 }),
).map(([cmd, flag, svc, rest, edits, sep, blank]) => {
  const w = [cmd, flag, svc, ...rest];
  for (const [at, v] of edits) {
    if (v === undefined) w.splice(at % w.length, 1);
    else w.splice(at % (w.length + 1), 0, v);
  }
  const text = w.join(sep === " \r" ? " " : sep) + (sep === " \r" ? "\r" : "");
  if (!blank) return text;
  const at = blank[0] % (text.length + 1);
  return text.slice(0, at) + blank[1] + text.slice(at);
});

/** The services the lines refer to, defined first (through the general path), so -a lines mostly apply. */
const PRELUDE = ["-A -t 10.0.0.1:80 -s wlc", "-A -t [2001:db8::1]:443 -s rr", "-A -t 10.0.0.2:8000 -s rr -p 300", "-A -u 10.0.0.1:80 -s rr"].join("\n");

describe("fastLine reads what the general path reads", () => {
  it("gives the same table, errors, warnings and lines for files of lines near the ipvsadm -S shapes", () => {
    let fastTaken = 0;
    fc.assert(fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), (lines) => {
      for (const l of lines) if (fastLine(l.trim())) fastTaken++;
      const text = `${PRELUDE}\n${lines.join("\n")}\n`;
      expect(parseRules(text)).toEqual(parseRules(text, { fastPath: false }));
    }), { numRuns: 1500 });
    // the comparison is not vacuous: many generated lines take the fast path
    expect(fastTaken).toBeGreaterThan(250);
  });

  it("reads every line of generated big tables (all methods, IPv4 and IPv6, persistence) the same way", () => {
    const text = renderRules(genTable(400, 5));
    const fast = parseRules(text);
    expect(fast).toEqual(parseRules(text, { fastPath: false }));
    expect(fast.errors).toEqual([]);
    expect(renderRules(fast.table)).toBe(text);
  });

  it("leaves to the general path what it would warn about or refuse", () => {
    for (const l of [
      "-A -t 10.0.0.1:0 -s rr", // zero port without -p
      "-A -t 10.0.0.1:80 -s nope", // unknown scheduler
      "-a -t 10.0.0.1:80 -r 172.16.0.1:8080 -g -w 1", // DR with another port: warning
      "-a -t 10.0.0.1:80 -r [2001:db8::2]:80 -m -w 1", // mixed family
      "-a -t 10.0.0.1:80 -r 172.16.0.1:80 -m -w 1 -x 1 -y 5", // -y above -x
      "-a -t 10.0.0.1:80 -r 172.16.0.1:80 -m -w 1 # comment",
      "-a -t 10.0.0.1:80 -r 172.16.0.1:80 -m\t-w 1",
      "-a -t 10.0.0.1:80 -r 172.16.0.1:80 -m -w 01",
      "-a -t 10.0.0.1:80 -r 172.16.0.1:80 -i -w 1", // tunnel without the --tun-type that -S writes
    ]) expect(fastLine(l), l).toBeNull();
    expect(fastLine("-a -t 10.0.0.1:80 -r 172.16.0.1:80 -g -w 1 -x 9 -y 5")).not.toBeNull();
  });
});
