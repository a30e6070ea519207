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

/** A decimal in canonical form (no sign, no leading zero) within 0..max, else null. */
function plainDecimal(w: string | undefined, max: number): number | null {
  if (w === undefined || w.length === 0 || w.length > 10) return null;
  if (w.length > 1 && w.charCodeAt(0) === 48) return null;
  let n = 0;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    n = n * 10 + c;
  }
  return n <= max ? n : null;
}

function serviceKey(flag: string | undefined, text: string | undefined): IpvsServiceKey | null {
  const protocol: Protocol | null = flag === "-t" ? "tcp" : flag === "-u" ? "udp" : null;
  if (protocol === null || text === undefined) return null;
  const hp = parseHostPort(text, protocol);
  if (!hp.ok || hp.port === null || hp.port === 0) return null;
  return { protocol, family: hp.family, address: hp.address, port: hp.port };
}

/** The op of a line in one of the two shapes above (trimmed), or null: read it the general way. */
export function fastLine(line: string): Op | null {
  const c0 = line.charCodeAt(0);
  const c1 = line.charCodeAt(1);
  if (c0 !== 45 || (c1 !== 65 && c1 !== 97) || line.charCodeAt(2) !== 32) return null; // "-A " / "-a "
  // the general path splits words at these too; here only single spaces separate them
  if (OTHER_BLANK.test(line)) return null;
  const w = line.split(" ");
  const key = serviceKey(w[1], w[2]);
  if (key === null) return null;
  try {
    return c1 === 65 ? addService(w, key) : addServer(w, key);
  } catch {
    // a LineError from the shared pieces: the general path reports it
    return null;
  }
}

function addService(w: string[], key: IpvsServiceKey): Op | null {
  if (w[3] !== "-s") return null;
  const scheduler = w[4] as string;
  if (!KNOWN_SCHEDULER.has(scheduler)) return null;
  let persistence: number | null = null;
  if (w.length === 7) {
    if (w[5] !== "-p") return null;
    persistence = plainDecimal(w[6], 2678400);
    if (persistence === null || persistence === 0) return null;
  } else if (w.length !== 5) return null;
  const spec = serviceSpec(key, { scheduler, persistence, netmaskRaw: null, pe: null, flagsRaw: null, onePacket: false }, []);
  return op.addService(spec);
}

function addServer(w: string[], key: IpvsServiceKey): Op | null {
  if (w[3] !== "-r" || w[4] === undefined || key.protocol === "fwmark") return null;
  const hp = parseHostPort(w[4], key.protocol);
  if (!hp.ok || hp.port === null || hp.family !== key.family) return null;
  const m = w[5] === "-g" ? "dr" : w[5] === "-m" ? "nat" : w[5] === "-i" ? "tun" : null;
  if (m === null || w[6] !== "-w") return null;
  const weight = plainDecimal(w[7], 65535);
  if (weight === null) return null;
  // DR and TUN keep the service port: a different one is a warning of the general path
  if (m !== "nat" && hp.port !== key.port) return null;
  let i = 8;
  if (m === "tun") {
    if (w[8] !== "--tun-type" || w[9] !== "ipip") return null;
    i = 10;
  }
  let upper = 0;
  let lower = 0;
  if (w[i] === "-x") {
    const v = plainDecimal(w[i + 1], 2147483647);
    if (v === null) return null;
    upper = v;
    i += 2;
  }
  if (w[i] === "-y") {
    const v = plainDecimal(w[i + 1], 2147483647);
    if (v === null) return null;
    lower = v;
    i += 2;
  }
  if (i !== w.length || lower > upper) return null;
  return op.addDestination(key, {
    address: hp.address, port: hp.port, method: m, weight, upperThreshold: upper, lowerThreshold: lower,
    tunnel: m === "tun" ? { type: "ipip", port: null, checksum: null } : null,
  });
}
