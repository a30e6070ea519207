/**
 * The service half of an ipvsadm line (-A/-E): ipvsadm's checks (zero port, -o, -b against -s on the
 * same line, -M per family) and the kernel's (unknown scheduler or persistence engine).
 */
import { SCHEDULERS, SCHEDULER_FLAGS, type IpvsServiceKey, type Persistence, type SchedulerFlag } from "../../model.ts";
import { parseAddress } from "../../address.ts";
import type { ServiceSpec } from "../../ops.ts";
import { fail } from "./lineError.ts";

export interface ServiceOptions {
  scheduler: string | null;
  persistence: number | null;
  netmaskRaw: string | null;
  pe: string | null;
  flagsRaw: string | null;
  onePacket: boolean;
}

export function serviceSpec(key: IpvsServiceKey, o: ServiceOptions, warnings: string[]): ServiceSpec {
  const scheduler = o.scheduler ?? "wlc";
  if (key.protocol !== "fwmark" && key.port === 0 && o.persistence === null) {
    fail(`port 0 without -p: a zero port (all ports) is allowed only for persistent services (ipvsadm: Zero port specified for non-persistent service)`);
  }
  if (o.onePacket && key.protocol !== "udp" && key.protocol !== "fwmark") {
    fail(`-o on a ${key.protocol.toUpperCase()} service: one-packet scheduling is only for UDP and fwmark services`);
  }
  if (!(SCHEDULERS as readonly string[]).includes(scheduler)) {
    fail(`-s ${scheduler}: unknown scheduler (the kernel answers "Scheduler or persistence engine not found"); known: ${SCHEDULERS.join(", ")}`);
  }
  const flags: SchedulerFlag[] = [];
  if (o.flagsRaw !== null) {
    const names = o.flagsRaw.split(",").filter((f) => f !== "");
    if (names.length === 0) fail(`-b "${o.flagsRaw}": no scheduler flag given`);
    for (const f of names) {
      if (!(SCHEDULER_FLAGS as readonly string[]).includes(f)) fail(`-b ${f}: invalid scheduler flag (${SCHEDULER_FLAGS.join(", ")})`);
      const needs = f.startsWith("sh-") ? "sh" : f.startsWith("mh-") ? "mh" : null;
      if (needs && scheduler !== needs) {
        fail(`-b ${f} with -s ${scheduler}${o.scheduler === null ? " (the default)" : ""}: ${f} needs -s ${needs} on the same line (ipvsadm: incompatible scheduler flag)`);
      }
      flags.push(f as SchedulerFlag);
    }
  }
  let netmask: string | null = null;
  if (o.netmaskRaw !== null) {
    if (key.family === "inet6") {
      const n = /^\d+$/.test(o.netmaskRaw) ? Number(o.netmaskRaw) : NaN;
      if (!(n >= 1 && n <= 128)) fail(`-M ${o.netmaskRaw}: an IPv6 service takes a prefix length 1..128`);
      netmask = String(n);
    } else {
      const a = parseAddress(o.netmaskRaw);
      if (!a.ok || a.value.family !== "inet") {
        fail(`-M ${o.netmaskRaw}: an IPv4 service takes a dotted netmask such as 255.255.255.0${/^\d+$/.test(o.netmaskRaw) ? ` (ipvsadm would read ${o.netmaskRaw} as the address 0.0.0.${o.netmaskRaw})` : ""}`);
      } else netmask = a.value.text;
    }
    if (o.persistence === null) warnings.push(`-M ${o.netmaskRaw} without -p has no effect (the mask is the persistence granularity; ipvsadm -S drops it)`);
  }
  if (o.pe !== null && o.pe !== "sip") {
    fail(`--pe ${o.pe}: unknown persistence engine (only sip exists; the kernel answers "Scheduler or persistence engine not found")`);
  }
  const persistence: Persistence | null = o.persistence === null ? null : { timeout: o.persistence, netmask };
  return { ...key, scheduler, flags, persistence, persistenceEngine: o.pe === "sip" ? "sip" : null, onePacket: o.onePacket } as ServiceSpec;
}
