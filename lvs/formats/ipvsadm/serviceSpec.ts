/**
 * The service half of an ipvsadm line (-A/-E): ipvsadm's checks (zero port, -o, -b against -s on the
 * same line, -M per family) and the kernel's (unknown scheduler or persistence engine).
 */
import { SCHEDULERS, SCHEDULER_FLAGS, type IpvsServiceKey, type Persistence, type SchedulerFlag } from "../../model.ts";
import { parseAddress } from "../../address.ts";
import type { ServiceSpec } from "../../ops.ts";
import { fail } from "./lineError.ts";
import { coded, type Coded } from "../diagnostics.ts";

export interface ServiceOptions {
  scheduler: string | null;
  persistence: number | null;
  netmaskRaw: string | null;
  pe: string | null;
  flagsRaw: string | null;
  onePacket: boolean;
}

export function serviceSpec(key: IpvsServiceKey, o: ServiceOptions, warnings: Coded[]): ServiceSpec {
  const scheduler = o.scheduler ?? "wlc";
  if (key.protocol !== "fwmark" && key.port === 0 && o.persistence === null) {
    fail("ipvsadm.zero-port");
  }
  if (o.onePacket && key.protocol !== "udp" && key.protocol !== "fwmark") {
    fail("ipvsadm.one-packet", { protocol: key.protocol.toUpperCase() });
  }
  if (!(SCHEDULERS as readonly string[]).includes(scheduler)) {
    fail("ipvsadm.unknown-scheduler", { scheduler, known: SCHEDULERS.join(", ") });
  }
  const flags: SchedulerFlag[] = [];
  if (o.flagsRaw !== null) {
    const names = o.flagsRaw.split(",").filter((f) => f !== "");
    if (names.length === 0) fail("ipvsadm.no-flag", { raw: o.flagsRaw });
    for (const f of names) {
      if (!(SCHEDULER_FLAGS as readonly string[]).includes(f)) fail("ipvsadm.invalid-flag", { flag: f, known: SCHEDULER_FLAGS.join(", ") });
      const needs = f.startsWith("sh-") ? "sh" : f.startsWith("mh-") ? "mh" : null;
      if (needs && scheduler !== needs) {
        fail("ipvsadm.flag-needs-scheduler", { flag: f, scheduler: `${scheduler}${o.scheduler === null ? " (the default)" : ""}`, needs });
      }
      flags.push(f as SchedulerFlag);
    }
  }
  let netmask: string | null = null;
  if (o.netmaskRaw !== null) {
    if (key.family === "inet6") {
      const n = /^\d+$/.test(o.netmaskRaw) ? Number(o.netmaskRaw) : NaN;
      if (!(n >= 1 && n <= 128)) fail("ipvsadm.netmask-ipv6", { netmask: o.netmaskRaw });
      netmask = String(n);
    } else {
      const a = parseAddress(o.netmaskRaw);
      if (!a.ok || a.value.family !== "inet") {
        fail("ipvsadm.netmask-ipv4", { netmask: o.netmaskRaw, numeric: /^\d+$/.test(o.netmaskRaw) ? "yes" : "no" });
      } else netmask = a.value.text;
    }
    if (o.persistence === null) warnings.push(coded("ipvsadm.netmask-without-persistence", { netmask: o.netmaskRaw }));
  }
  if (o.pe !== null && o.pe !== "sip") {
    fail("ipvsadm.unknown-pe", { pe: o.pe });
  }
  const persistence: Persistence | null = o.persistence === null ? null : { timeout: o.persistence, netmask };
  return { ...key, scheduler, flags, persistence, persistenceEngine: o.pe === "sip" ? "sip" : null, onePacket: o.onePacket } as ServiceSpec;
}
