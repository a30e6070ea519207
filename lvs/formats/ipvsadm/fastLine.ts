/**
 * The two line shapes that make up nearly all of a big rules file, exactly as `ipvsadm -S -n` (and
 * renderRules) write them, read without the general option parser (parseArgv + interpretLine):
 *   -A -t|-u HOST:PORT -s SCHED [-p N]
 *   -a -t|-u HOST:PORT -r HOST:PORT -g|-m|-i -w N [--tun-type ipip] [-x N] [-y N]
 * single spaces between words. The op is built by the same pieces the general path uses
 * (parseHostPort, serviceSpec, op.*), so it is the op that path gives; any other line, and any line
 * on which the general path would warn or fail, gives null and is read by the general path, which
 * then reports it with its own messages. A million-line file is read in a fraction of the time.
 */
import { SCHEDULERS, type IpvsServiceKey, type Protocol } from "../../model.ts";
import { op, type Op } from "../../ops.ts";
import { parseHostPort } from "./hostPort.ts";
import { serviceSpec } from "./serviceSpec.ts";

const KNOWN_SCHEDULER = new Set<string>(SCHEDULERS);
const OTHER_BLANK = /[\t\r\f\v]/;

/** The line being read and the position of its next word (module state: fastLine is not re-entrant, and needs not be). */
let src = "";
let pos = 0;

/** The next word is exactly `w`: step past it (and its space). */
function take(w: string): boolean {
  if (!src.startsWith(w, pos)) return false;
  const end = pos + w.length;
  if (end < src.length && src.charCodeAt(end) !== 32) return false;
  pos = end + 1;
  return true;
}

/** The next word ("" where two spaces meet), null at the end of the line. */
function word(): string | null {
  if (pos >= src.length) return null;
  let end = src.indexOf(" ", pos);
  if (end < 0) end = src.length;
  const w = src.slice(pos, end);
  pos = end + 1;
  return w;
}

/** The next word as a decimal in canonical form (no sign, no leading zero) within 0..max, else null. */
function decimal(max: number): number | null {
  const start = pos;
  let n = 0;
  let i = pos;
  for (; i < src.length && src.charCodeAt(i) !== 32; i++) {
    const c = src.charCodeAt(i) - 48;
    if (c < 0 || c > 9 || i - start >= 10) return null;
    n = n * 10 + c;
  }
  const len = i - start;
  if (len === 0 || (len > 1 && src.charCodeAt(start) === 48) || n > max) return null;
  pos = i + 1;
  return n;
}

/** The last service word read and its key: a service's -a lines follow its -A line (keys are never mutated). */
let last: { protocol: Protocol; text: string; key: IpvsServiceKey } | null = null;

function serviceKey(): IpvsServiceKey | null {
  const protocol: Protocol | null = take("-t") ? "tcp" : take("-u") ? "udp" : null;
  if (protocol === null) return null;
  if (last !== null && last.protocol === protocol && take(last.text)) return last.key;
  const text = word();
  if (text === null) return null;
  const hp = parseHostPort(text, protocol);
  if (!hp.ok || hp.port === null || hp.port === 0) return null;
  const key: IpvsServiceKey = { protocol, family: hp.family, address: hp.address, port: hp.port };
  last = { protocol, text, key };
  return key;
}

/** Forgets the last line and service word: slices of a rules file, which would keep all of it alive. */
export function fastLineDone(): void {
  src = "";
  last = null;
}

/** The op of a line in one of the two shapes above (trimmed), or null: read it the general way. */
export function fastLine(line: string): Op | null {
  const c1 = line.charCodeAt(1);
  if (line.charCodeAt(0) !== 45 || (c1 !== 65 && c1 !== 97) || line.charCodeAt(2) !== 32) return null; // "-A " / "-a "
  // the general path splits words at these too; here only single spaces separate them
  if (OTHER_BLANK.test(line)) return null;
  src = line;
  pos = 3;
  const key = serviceKey();
  if (key === null) return null;
  try {
    return c1 === 65 ? addService(key) : addServer(key);
  } catch {
    // a LineError from the shared pieces: the general path reports it
    return null;
  }
}

function addService(key: IpvsServiceKey): Op | null {
  if (!take("-s")) return null;
  const scheduler = word();
  if (scheduler === null || !KNOWN_SCHEDULER.has(scheduler)) return null;
  let persistence: number | null = null;
  if (take("-p")) {
    persistence = decimal(2678400);
    if (persistence === null || persistence === 0) return null;
  }
  if (pos < src.length) return null;
  const spec = serviceSpec(key, { scheduler, persistence, netmaskRaw: null, pe: null, flagsRaw: null, onePacket: false }, []);
  return op.addService(spec);
}

function addServer(key: IpvsServiceKey): Op | null {
  if (!take("-r") || key.protocol === "fwmark") return null;
  const rs = word();
  if (rs === null) return null;
  const hp = parseHostPort(rs, key.protocol);
  if (!hp.ok || hp.port === null || hp.family !== key.family) return null;
  const m = take("-g") ? "dr" : take("-m") ? "nat" : take("-i") ? "tun" : null;
  if (m === null || !take("-w")) return null;
  const weight = decimal(65535);
  if (weight === null) return null;
  // DR and TUN keep the service port: a different one is a warning of the general path
  if (m !== "nat" && hp.port !== key.port) return null;
  if (m === "tun" && !(take("--tun-type") && take("ipip"))) return null;
  let upper = 0;
  let lower = 0;
  if (take("-x")) {
    const v = decimal(2147483647);
    if (v === null) return null;
    upper = v;
  }
  if (take("-y")) {
    const v = decimal(2147483647);
    if (v === null) return null;
    lower = v;
  }
  if (pos < src.length || lower > upper) return null;
  return op.addDestination(key, {
    address: hp.address, port: hp.port, method: m, weight, upperThreshold: upper, lowerThreshold: lower,
    tunnel: m === "tun" ? { type: "ipip", port: null, checksum: null } : null,
  });
}
