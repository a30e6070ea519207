/**
 * ipvsadm's command line as popt reads it: short options (bundled: `-At`, attached values: `-w5`),
 * long options (`--weight 5`, `--weight=5`), `-p` with an optional value (taken only when the next
 * word does not start with '-'), required values taken from the next word whatever it looks like,
 * `--` ending the options, and leftover words collected (ipvsadm then fails with "unexpected argument").
 */

export type ArgKind = "none" | "required" | "optional";

export interface OptionDef {
  /** popt long name, also ipvsadm's name in its messages where it has one */
  long: string;
  short?: string;
  arg: ArgKind;
}

/** ipvsadm 1.31's option table (ipvsadm.c parse_options). */
export const IPVSADM_OPTIONS: readonly OptionDef[] = [
  { long: "add-service", short: "A", arg: "none" },
  { long: "edit-service", short: "E", arg: "none" },
  { long: "delete-service", short: "D", arg: "none" },
  { long: "clear", short: "C", arg: "none" },
  { long: "list", short: "L", arg: "none" },
  { long: "list", short: "l", arg: "none" },
  { long: "zero", short: "Z", arg: "none" },
  { long: "add-server", short: "a", arg: "none" },
  { long: "edit-server", short: "e", arg: "none" },
  { long: "delete-server", short: "d", arg: "none" },
  { long: "set", arg: "none" },
  { long: "help", short: "h", arg: "none" },
  { long: "version", short: "v", arg: "none" },
  { long: "restore", short: "R", arg: "none" },
  { long: "save", short: "S", arg: "none" },
  { long: "start-daemon", arg: "required" },
  { long: "stop-daemon", arg: "required" },
  { long: "tcp-service", short: "t", arg: "required" },
  { long: "udp-service", short: "u", arg: "required" },
  { long: "sctp-service", arg: "required" },
  { long: "fwmark-service", short: "f", arg: "required" },
  { long: "scheduler", short: "s", arg: "required" },
  { long: "persistent", short: "p", arg: "optional" },
  { long: "netmask", short: "M", arg: "required" },
  { long: "real-server", short: "r", arg: "required" },
  { long: "masquerading", short: "m", arg: "none" },
  { long: "ipip", short: "i", arg: "none" },
  { long: "gatewaying", short: "g", arg: "none" },
  { long: "weight", short: "w", arg: "required" },
  { long: "u-threshold", short: "x", arg: "required" },
  { long: "l-threshold", short: "y", arg: "required" },
  { long: "numeric", short: "n", arg: "none" },
  { long: "connection", short: "c", arg: "none" },
  { long: "mcast-interface", arg: "required" },
  { long: "syncid", arg: "required" },
  { long: "timeout", arg: "none" },
  { long: "daemon", arg: "none" },
  { long: "stats", arg: "none" },
  { long: "rate", arg: "none" },
  { long: "thresholds", arg: "none" },
  { long: "persistent-conn", arg: "none" },
  { long: "nosort", arg: "none" },
  { long: "sort", arg: "none" },
  { long: "exact", short: "X", arg: "none" },
  { long: "ipv6", short: "6", arg: "none" },
  { long: "ops", short: "o", arg: "none" },
  { long: "pe", arg: "required" },
  { long: "sched-flags", short: "b", arg: "required" },
  { long: "mcast-group", arg: "required" },
  { long: "mcast-port", arg: "required" },
  { long: "mcast-ttl", arg: "required" },
  { long: "sync-maxlen", arg: "required" },
  { long: "tun-info", arg: "none" },
  { long: "tun-type", arg: "required" },
  { long: "tun-port", arg: "required" },
  { long: "tun-nocsum", arg: "none" },
  { long: "tun-csum", arg: "none" },
  { long: "tun-remcsum", arg: "none" },
];

export interface ParsedOption {
  def: OptionDef;
  /** as written: "-t", "--tcp-service" */
  written: string;
  value: string | undefined;
}

export type ArgvResult =
  | { ok: true; options: ParsedOption[]; leftovers: string[] }
  /** `option` is the unknown/broken option as written */
  | { ok: false; option: string; reason: "unknown" | "missing-argument" | "unexpected-argument"; options: ParsedOption[] };

const BY_SHORT = new Map(IPVSADM_OPTIONS.filter((o) => o.short).map((o) => [o.short as string, o]));
const BY_LONG = new Map(IPVSADM_OPTIONS.map((o) => [o.long, o]));

/** Split words into options the way popt does for ipvsadm. */
export function parseArgv(words: readonly string[]): ArgvResult {
  const options: ParsedOption[] = [];
  const leftovers: string[] = [];
  let i = 0;
  let onlyArgs = false;
  while (i < words.length) {
    const w = words[i++] as string;
    if (onlyArgs || w === "-" || !w.startsWith("-")) {
      leftovers.push(w);
      continue;
    }
    if (w === "--") {
      onlyArgs = true;
      continue;
    }
    if (w.startsWith("--")) {
      const eq = w.indexOf("=");
      const name = eq >= 0 ? w.slice(2, eq) : w.slice(2);
      const def = BY_LONG.get(name);
      const written = `--${name}`;
      if (!def) return { ok: false, option: written, reason: "unknown", options };
      if (def.arg === "none") {
        if (eq >= 0) return { ok: false, option: written, reason: "unexpected-argument", options };
        options.push({ def, written, value: undefined });
        continue;
      }
      if (eq >= 0) {
        options.push({ def, written, value: w.slice(eq + 1) });
        continue;
      }
      const next = words[i];
      if (next === undefined || (def.arg === "optional" && next.startsWith("-"))) {
        if (def.arg === "required") return { ok: false, option: written, reason: "missing-argument", options };
        options.push({ def, written, value: undefined });
        continue;
      }
      i++;
      options.push({ def, written, value: next });
      continue;
    }
    // a cluster of short options
    for (let j = 1; j < w.length; j++) {
      const c = w[j] as string;
      const def = BY_SHORT.get(c);
      const written = `-${c}`;
      if (!def) return { ok: false, option: written, reason: "unknown", options };
      if (def.arg === "none") {
        options.push({ def, written, value: undefined });
        continue;
      }
      const rest = w.slice(j + 1);
      if (rest !== "") {
        options.push({ def, written, value: rest });
        break;
      }
      const next = words[i];
      if (next === undefined || (def.arg === "optional" && next.startsWith("-"))) {
        if (def.arg === "required") return { ok: false, option: written, reason: "missing-argument", options };
        options.push({ def, written, value: undefined });
        break;
      }
      i++;
      options.push({ def, written, value: next });
      break;
    }
  }
  return { ok: true, options, leftovers };
}
