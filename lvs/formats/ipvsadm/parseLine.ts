/**
 * One ipvsadm command line → one table op, with ipvsadm 1.31's checks (process_options,
 * generic_opt_check, tunnel_opt_check, parse_sched_flags) and the kernel's value checks
 * (unknown scheduler or persistence engine, -y above -x). Messages name the option and the rule.
 */
import { MAX_IPVS_TIMEOUT, type AddressFamily, type ForwardingMethod, type IpvsServiceKey, type Protocol, type TunnelChecksum, type TunnelType } from "../../model.ts";
import { op, type Op } from "../../ops.ts";
import type { ParsedOption } from "./argv.ts";
import { fail, LineError } from "./lineError.ts";
import { serviceSpec } from "./serviceSpec.ts";
import { parseDecimal, parseHostPort } from "./hostPort.ts";
import { coded, type Coded } from "../diagnostics.ts";

export type LineResult =
  | { kind: "op"; op: Op; warnings: Coded[] }
  | { kind: "ignored"; warnings: Coded[] }
  | { kind: "error"; error: Coded; warnings: Coded[]; service: IpvsServiceKey | null };

const COMMANDS: Record<string, string> = {
  "add-service": "-A", "edit-service": "-E", "delete-service": "-D", clear: "-C", "add-server": "-a",
  "edit-server": "-e", "delete-server": "-d", list: "-L", zero: "-Z", set: "--set", help: "-h", version: "-v",
  restore: "-R", save: "-S", "start-daemon": "--start-daemon", "stop-daemon": "--stop-daemon",
};

/** ipvsadm's option-class names (optnames[]), used in its own messages. */
const OPTC: Record<string, string> = {
  "tcp-service": "service-address", "udp-service": "service-address", "sctp-service": "service-address",
  "fwmark-service": "service-address", masquerading: "forwarding-method", ipip: "forwarding-method",
  gatewaying: "forwarding-method", numeric: "numeric", connection: "connection", scheduler: "scheduler",
  persistent: "persistent", netmask: "netmask", "real-server": "real-server", weight: "weight",
  "u-threshold": "u-threshold", "l-threshold": "l-threshold", "mcast-interface": "mcast-interface",
  syncid: "syncid", timeout: "timeout", daemon: "daemon", stats: "stats", rate: "rate", thresholds: "thresholds",
  "persistent-conn": "persistent-conn", nosort: "nosort", exact: "exact", ops: "ops", pe: "pe",
  "sched-flags": "sched-flags", "mcast-group": "mcast-group", "mcast-port": "mcast-port", "mcast-ttl": "mcast-ttl",
  "sync-maxlen": "sync-maxlen", "tun-info": "tun-info", "tun-type": "tun-type", "tun-port": "tun-port",
  "tun-nocsum": "tun-nocsum", "tun-csum": "tun-csum", "tun-remcsum": "tun-remcsum",
};

const SERVICE_OPTS = ["scheduler", "persistent", "netmask", "ops", "pe", "sched-flags"];
const SERVER_OPTS = ["forwarding-method", "weight", "u-threshold", "l-threshold", "tun-type", "tun-port", "tun-nocsum", "tun-csum", "tun-remcsum"];
const ALLOWED: Record<string, { required: string[]; optional: string[] }> = {
  "add-service": { required: ["service-address"], optional: SERVICE_OPTS },
  "edit-service": { required: ["service-address"], optional: SERVICE_OPTS },
  "delete-service": { required: ["service-address"], optional: [] },
  clear: { required: [], optional: [] },
  "add-server": { required: ["service-address", "real-server"], optional: SERVER_OPTS },
  "edit-server": { required: ["service-address", "real-server"], optional: SERVER_OPTS },
  "delete-server": { required: ["service-address", "real-server"], optional: [] },
};

const IGNORED: Record<string, string> = {
  list: "list",
  save: "save",
  zero: "zero",
  "start-daemon": "daemon",
  "stop-daemon": "daemon",
};

export function interpretLine(options: readonly ParsedOption[], leftovers: readonly string[]): LineResult {
  const warnings: Coded[] = [];
  let service: IpvsServiceKey | null = null;
  try {
    const first = options[0];
    if (!first || !COMMANDS[first.def.long]) {
      fail("ipvsadm.command-first", { word: first ? first.written : (leftovers[0] ?? "") });
    }
    const cmd = (first as ParsedOption).def.long;
    const cmdWritten = (first as ParsedOption).written;
    if (IGNORED[cmd]) return { kind: "ignored", warnings: [coded("ipvsadm.ignored-command", { command: cmdWritten, why: IGNORED[cmd] })] };
    if (cmd === "set") return { kind: "op", op: setTimeouts(options, leftovers), warnings };
    if (!ALLOWED[cmd]) fail("ipvsadm.aborting-command", { command: cmdWritten });

    const seen = new Map<string, string>();
    let proto: Protocol | "fwmark" | null = null;
    let family: AddressFamily = "inet";
    let address = "";
    let port: number | null = null;
    let fwmark = 0;
    let scheduler: string | null = null;
    let persistence: number | null = null;
    let netmaskRaw: string | null = null;
    let rsRaw: string | null = null;
    let method: ForwardingMethod | null = null;
    let weight = 1;
    let upper = 0;
    let lower = 0;
    let onePacket = false;
    let pe: string | null = null;
    let flagsRaw: string | null = null;
    let tunType: TunnelType = "ipip";
    let tunPort: number | null = null;
    let checksum: TunnelChecksum | null = null;

    for (const o of options.slice(1)) {
      const name = o.def.long;
      const v = o.value ?? "";
      const shown = o.value === undefined ? o.written : `${o.written} ${o.value}`;
      if (COMMANDS[name]) fail("ipvsadm.multiple-commands", { option: o.written, command: cmdWritten });
      const optc = OPTC[name];
      if (optc) {
        if (seen.has(optc)) fail("ipvsadm.multiple-options", { option: o.written, previous: seen.get(optc) ?? "", optc });
        seen.set(optc, o.written);
      }
      switch (name) {
        case "tcp-service":
        case "udp-service":
        case "sctp-service": {
          proto = name === "tcp-service" ? "tcp" : name === "udp-service" ? "udp" : "sctp";
          const hp = parseHostPort(v, proto);
          if (!hp.ok) fail("ipvsadm.illegal-service-address", { ...hp.params, shown, detailCode: hp.code });
          else {
            family = hp.family;
            address = hp.address;
            port = hp.port ?? 0;
            service = { protocol: proto, family, address, port };
          }
          break;
        }
        case "fwmark-service": {
          let n = parseDecimal(v, 1, 4294967295);
          const signed = parseDecimal(v, -2147483648, -1);
          if (n === null && signed !== null) {
            // ipvsadm 1.31 as released prints marks >= 2^31 with %d in -S/-L output
            n = signed + 4294967296;
            warnings.push(coded("ipvsadm.negative-fwmark", { shown, mark: n }));
          }
          if (n === null) fail("ipvsadm.invalid-fwmark", { shown });
          proto = "fwmark";
          fwmark = n as number;
          family = "inet";
          service = { protocol: "fwmark", family, fwmark };
          break;
        }
        case "ipv6":
          if (proto !== "fwmark") fail("ipvsadm.ipv6-before-fwmark", { option: o.written });
          family = "inet6";
          service = { protocol: "fwmark", family, fwmark };
          if (netmaskRaw !== null) {
            warnings.push(coded("ipvsadm.netmask-before-ipv6", { netmask: netmaskRaw }));
            netmaskRaw = null;
          }
          break;
        case "scheduler":
          scheduler = v.slice(0, 15);
          break;
        case "persistent":
          if (o.value === undefined) persistence = 360;
          else {
            const n = parseDecimal(v, 1, 2678400);
            if (n === null) fail("ipvsadm.invalid-persistence", { shown });
            persistence = n;
          }
          break;
        case "netmask":
          netmaskRaw = v;
          break;
        case "real-server":
          rsRaw = v;
          break;
        case "masquerading":
        case "ipip":
        case "gatewaying":
          method = name === "masquerading" ? "nat" : name === "ipip" ? "tun" : "dr";
          break;
        case "weight": {
          const n = parseDecimal(v, 0, 65535);
          if (n === null) fail("ipvsadm.illegal-weight", { shown });
          weight = n as number;
          break;
        }
        case "u-threshold":
        case "l-threshold": {
          const n = parseDecimal(v, 0, 2147483647);
          if (n === null) fail("ipvsadm.illegal-threshold", { shown, which: name === "u-threshold" ? "upper" : "lower" });
          if (name === "u-threshold") upper = n as number;
          else lower = n as number;
          break;
        }
        case "ops":
          onePacket = true;
          break;
        case "pe":
          pe = v;
          break;
        case "sched-flags":
          flagsRaw = v;
          break;
        case "tun-type":
          if (v !== "ipip" && v !== "gue" && v !== "gre") fail("ipvsadm.illegal-tunnel-type", { shown });
          tunType = v as TunnelType;
          break;
        case "tun-port": {
          const n = parseDecimal(v, 1, 65535);
          if (n === null) fail("ipvsadm.illegal-tunnel-port", { shown });
          tunPort = n;
          break;
        }
        case "tun-nocsum":
        case "tun-csum":
        case "tun-remcsum":
          if (checksum !== null) fail("ipvsadm.checksum-conflict", { option: o.written, checksum });
          checksum = name.slice(4) as TunnelChecksum;
          break;
        default:
          break;
      }
    }
    if (leftovers.length > 0) {
      const w = leftovers[0] as string;
      fail(/\/ipvsadm$/.test(w) ? "ipvsadm.ipvsadm-path" : "ipvsadm.unexpected-argument", { word: w });
    }

    const rules = ALLOWED[cmd] as { required: string[]; optional: string[] };
    for (const [optc, written] of seen) {
      if (!rules.required.includes(optc) && !rules.optional.includes(optc)) {
        fail("ipvsadm.option-not-allowed", { option: written, command: cmdWritten, optc, cmd });
      }
    }
    for (const optc of rules.required) {
      if (!seen.has(optc)) {
        fail("ipvsadm.option-required", { command: cmdWritten, what: optc === "service-address" ? "service" : "server", optc, cmd });
      }
    }
    if (cmd === "clear") return { kind: "op", op: { kind: "clear", dropsConnections: true }, warnings };
    const key = service as unknown as IpvsServiceKey;
    if (cmd === "delete-service") return { kind: "op", op: op.deleteService(key), warnings };

    if (cmd === "add-service" || cmd === "edit-service") {
      const spec = serviceSpec(key, { scheduler, persistence, netmaskRaw, pe, flagsRaw, onePacket }, warnings);
      return { kind: "op", op: cmd === "add-service" ? op.addService(spec) : op.editService(spec), warnings };
    }

    // -a / -e / -d
    const hp = parseHostPort(rsRaw ?? "", proto === "fwmark" || proto === null ? "tcp" : proto);
    if (!hp.ok) return fail("ipvsadm.illegal-real-server", { ...hp.params, raw: rsRaw ?? "", detailCode: hp.code });
    const svcPort = key.protocol === "fwmark" ? 0 : key.port;
    let dport = hp.port ?? svcPort;
    if (cmd === "delete-server") return { kind: "op", op: op.deleteDestination(key, { address: hp.address, port: dport }), warnings };
    const m: ForwardingMethod = method ?? "dr";
    if (key.protocol !== "fwmark" && (m === "dr" || m === "tun")) {
      if (hp.port !== null && hp.port !== svcPort) {
        warnings.push(coded("ipvsadm.port-forced", { raw: rsRaw ?? "", flag: m === "dr" ? "-g" : "-i", port: svcPort }));
      }
      dport = svcPort;
    }
    if (hp.family !== key.family && m !== "tun") {
      fail("ipvsadm.real-server-family", {
        raw: rsRaw ?? "", family: hp.family === "inet6" ? "IPv6" : "IPv4", serviceFamily: key.family === "inet6" ? "IPv6" : "IPv4",
        hint: key.protocol === "fwmark" && key.family === "inet" ? "fwmark6" : "none", fwmark: key.protocol === "fwmark" ? key.fwmark : 0,
      });
    }
    const tunOpts = seen.has("tun-type") || seen.has("tun-port") || checksum !== null;
    if (tunOpts && m !== "tun") fail("ipvsadm.tunnel-options-need-i", { flag: m === "nat" ? "-m" : "-g" });
    if (m === "tun") {
      if (tunType === "ipip" && (tunPort !== null || checksum !== null)) {
        fail("ipvsadm.ipip-no-options", { option: tunPort !== null ? "--tun-port" : `--tun-${checksum}` });
      }
      if (tunType === "gue" && tunPort === null) fail("ipvsadm.gue-needs-port");
      if (tunType === "gre" && tunPort !== null) fail("ipvsadm.gre-no-port");
      if (tunType === "gre" && checksum === "remcsum") fail("ipvsadm.gre-no-remcsum");
    }
    if (lower > upper) {
      fail(upper === 0 ? "ipvsadm.lower-without-upper" : "ipvsadm.lower-above-upper", { lower, upper });
    }
    const dest = {
      address: hp.address, port: dport, method: m, weight, upperThreshold: upper, lowerThreshold: lower,
      tunnel: m === "tun" ? { type: tunType, port: tunPort, checksum } : null,
    };
    return { kind: "op", op: cmd === "add-server" ? op.addDestination(key, dest) : op.editDestination(key, dest), warnings };
  } catch (e) {
    if (e instanceof LineError) return { kind: "error", error: e.coded, warnings, service };
    throw e;
  }
}

/** `--set tcp tcpfin udp` as ipvsadm 1.31 reads it: no other option, exactly three values 0..86400*31. */
function setTimeouts(options: readonly ParsedOption[], leftovers: readonly string[]): Op {
  const other = options[1];
  if (other) {
    const optc = OPTC[other.def.long] ?? other.def.long;
    fail(COMMANDS[other.def.long] ? "ipvsadm.multiple-commands" : "ipvsadm.option-not-allowed", { option: other.written, command: "--set", optc, cmd: "set" });
  }
  if (leftovers.length < 3) fail("ipvsadm.set-needs-three");
  if (leftovers.length > 3) fail("ipvsadm.unexpected-argument", { word: leftovers[3] as string });
  const [tcp, tcpfin, udp] = leftovers.slice(0, 3).map((v) => {
    const n = parseDecimal(v, 0, MAX_IPVS_TIMEOUT);
    if (n === null) fail("ipvsadm.invalid-timeout", { value: v });
    return n as number;
  }) as [number, number, number];
  return op.setTimeouts({ tcp, tcpfin, udp });
}
