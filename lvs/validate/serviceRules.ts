/**
 * Rules for one virtual service, shared by validate() (topology) and validateTable() (IPVS table).
 * Each rule names the ipvsadm/kernel behaviour it mirrors.
 */
import { SCHEDULERS } from "../model.ts";
import type { AddressFamily, Persistence, SchedulerFlag, ServiceProtocol } from "../model.ts";
import { familyWord, makeIssue, type Issue, type Site } from "../issues.ts";
import { familyOf, netmaskValidFor } from "./net.ts";
import { describeServiceKey } from "../tableKey.ts";

/** The service fields the rules read; both VirtualService and IpvsService map onto it. */
export interface ServiceView {
  protocol: ServiceProtocol;
  family: AddressFamily;
  address: string | null;
  port: number | null;
  fwmark: number | null;
  scheduler: string;
  flags: SchedulerFlag[];
  persistence: Persistence | null;
  persistenceEngine: "sip" | null;
  onePacket: boolean;
}

const KNOWN = new Set<string>(SCHEDULERS);

export function checkService(s: ServiceView, at: Site): Issue[] {
  const out: Issue[] = [];
  const key = describeServiceKey(s);

  if (s.protocol === "fwmark") {
    if (s.fwmark === null || s.address !== null || s.port !== null)
      out.push(makeIssue("service.fwmark-fields", at, ["fwmark"],
        `${key}: a firewall-mark service (-f) is identified by its mark alone; set the mark and leave VIP and port empty.`, { key, variant: "fwmark" }));
  } else {
    if (s.fwmark !== null || s.address === null || s.port === null)
      out.push(makeIssue("service.fwmark-fields", at, s.address === null ? ["address"] : s.port === null ? ["port"] : ["fwmark"],
        `${key}: a ${s.protocol.toUpperCase()} service needs a VIP and a port, and no firewall mark (marks are for -f services).`, { key, variant: "vip", protocol: s.protocol.toUpperCase() }));
    if (s.address !== null && familyOf(s.address) !== null && familyOf(s.address) !== s.family)
      out.push(makeIssue("service.address-family", at, ["address"],
        `${key}: VIP ${s.address} is not an ${s.family === "inet" ? "IPv4" : "IPv6"} address, but the service is declared ${s.family}.`, { key, address: s.address, family: familyWord(s.family), declared: s.family }));
    if (s.port === 0 && s.persistence === null)
      out.push(makeIssue("service.zero-port-without-persistence", at, ["port"],
        `${key}: port 0 means "all ports", which ipvsadm allows only with persistence (-p): "Zero port specified for non-persistent service".`, { key }));
  }

  if (s.onePacket && (s.protocol === "tcp" || s.protocol === "sctp"))
    out.push(makeIssue("service.one-packet-not-udp", at, ["onePacket"],
      `${key}: one-packet scheduling (-o) works only for UDP or fwmark services; ${s.protocol.toUpperCase()} connections need the connection table.`, { key, protocol: s.protocol.toUpperCase() }));

  if (!KNOWN.has(s.scheduler))
    out.push(makeIssue("service.unknown-scheduler", at, ["scheduler"],
      `${key}: the kernel has no scheduler "${s.scheduler}" (known: ${SCHEDULERS.join(", ")}); ipvsadm would fail with "Scheduler or persistence engine not found".`, { key, scheduler: s.scheduler, known: SCHEDULERS.join(", ") }));
  else if (s.scheduler === "twos")
    out.push(makeIssue("service.scheduler-not-in-all-kernels", at, ["scheduler"],
      `${key}: the twos scheduler (ip_vs_twos) exists only in recent kernels (Debian 12's 6.1 has none); directors on older kernels reject it.`, { key }));

  const seen = new Set<string>();
  for (const f of s.flags) {
    if (seen.has(f)) out.push(makeIssue("service.duplicate-flag", at, ["flags"], `${key}: scheduler flag ${f} is listed twice.`, { key, flag: f }));
    seen.add(f);
    const want = f.startsWith("sh-") ? "sh" : f.startsWith("mh-") ? "mh" : null;
    const ok = want ? s.scheduler === want : s.scheduler !== "sh" && s.scheduler !== "mh";
    if (!ok)
      out.push(makeIssue("service.scheduler-flag-mismatch", at, ["flags"],
        want
          ? `${key}: -b ${f} is a flag of the ${want} scheduler, but the service uses ${s.scheduler} (ipvsadm: "incompatible scheduler flag").`
          : `${key}: -b ${f} is for schedulers other than sh/mh; with ${s.scheduler} use ${s.scheduler}-fallback / ${s.scheduler}-port.`,
        { key, flag: f, scheduler: s.scheduler, variant: want ? "needs" : "other", needs: want ?? "" }));
  }

  if (s.persistence && s.persistence.netmask !== null && !netmaskValidFor(s.persistence.netmask, s.family))
    out.push(makeIssue("service.netmask-invalid", at, ["persistence", "netmask"],
      s.family === "inet"
        ? `${key}: persistence granularity -M ${s.persistence.netmask} must be a dotted IPv4 netmask such as 255.255.255.0.`
        : `${key}: persistence granularity -M ${s.persistence.netmask} must be an IPv6 prefix length 1..128 such as 64.`,
      { key, netmask: s.persistence.netmask, variant: s.family }));

  if (s.persistenceEngine !== null && s.persistence === null)
    out.push(makeIssue("service.pe-without-persistence", at, ["persistenceEngine"],
      `${key}: the ${s.persistenceEngine} persistence engine (--pe) is consulted only for persistent services (-p); without -p it has no effect.`, { key, engine: s.persistenceEngine }));
  else if (s.persistenceEngine === "sip" && (s.protocol === "tcp" || s.protocol === "sctp"))
    out.push(makeIssue("service.pe-sip-not-udp", at, ["persistenceEngine"],
      `${key}: the sip persistence engine parses SIP Call-IDs from UDP packets only; on ${s.protocol.toUpperCase()} it falls back to plain source-IP persistence.`, { key, protocol: s.protocol.toUpperCase() }));

  return out;
}
