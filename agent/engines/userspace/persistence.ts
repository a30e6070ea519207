/**
 * Persistence templates like IPVS (ip_vs_core.c `ip_vs_sched_persist`, ip_vs_conn.c): one template per
 * service and client address masked with `-M`, pointing at a destination. A template is refreshed by
 * every new connection it controls and expires `timeout` after that, but never while connections it
 * controls are still in the table (then it is re-armed for another timeout, like `expire_later`).
 * A template whose destination left the service is dropped and the client is rescheduled
 * (`ip_vs_check_template`); a quiesced (weight 0) destination keeps its templates
 * (expire_quiescent_template = 0).
 */
import type { AddressFamily, Persistence } from "../../../lvs/model.ts";
import { parseIpv4, parseIpv6 } from "../../../lvs/schedulers/hash.ts";
import { formatIpv6 } from "../../../lvs/address.ts";
import { bindTemplate, unbindTemplate } from "../../../lvs/schedulers/destination.ts";
import type { RuntimeDestination } from "./runtime.ts";

export interface Template {
  key: string;
  clientAddress: string;
  dest: RuntimeDestination;
  expires: number;
  controlled: number;
  /**
   * IP_VS_CTPL_S_ASSURED: set once a connection it controls was established (TCP) or answered (UDP);
   * `ipvsadm -Lnc` then shows the template as ASSURED instead of NONE (Linux 6.1, seen in the lab)
   */
  assured: boolean;
}

/** The masked client address as text, e.g. "10.1.2.0" for 10.1.2.3 with 255.255.255.0. */
export function maskedClient(family: AddressFamily, address: string, netmask: string | null): string {
  if (family === "inet") {
    const v = parseIpv4(address.startsWith("::ffff:") ? address.slice(7) : address);
    const m = netmask === null ? 0xffffffff : parseIpv4(netmask);
    const x = (v & m) >>> 0;
    return `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
  }
  const g = parseIpv6(address) ?? [];
  let bits = netmask === null ? 128 : Number(netmask);
  const bytes: number[] = [];
  for (let i = 0; i < 8; i++) {
    const keep = Math.max(0, Math.min(16, bits));
    bits -= 16;
    const mask = keep === 0 ? 0 : (0xffff << (16 - keep)) & 0xffff;
    const w = (g[i] ?? 0) & mask;
    bytes.push(w >>> 8, w & 255);
  }
  return formatIpv6(bytes);
}

export class TemplateTable {
  readonly byClient = new Map<string, Template>();

  constructor(
    private persistence: Persistence,
    private readonly family: AddressFamily,
  ) {}

  configure(p: Persistence): void {
    this.persistence = p;
  }

  /** A valid template for the client, refreshed; or null (an invalid one is dropped). */
  lookup(clientAddress: string, now: number): Template | null {
    const key = maskedClient(this.family, clientAddress, this.persistence.netmask);
    const t = this.byClient.get(key);
    if (!t) return null;
    if (!t.dest.available) {
      this.drop(t);
      return null;
    }
    t.expires = now + this.persistence.timeout * 1000;
    return t;
  }

  create(clientAddress: string, dest: RuntimeDestination, now: number): Template {
    const key = maskedClient(this.family, clientAddress, this.persistence.netmask);
    const t: Template = { key, clientAddress: key, dest, expires: now + this.persistence.timeout * 1000, controlled: 0, assured: false };
    this.byClient.set(key, t);
    bindTemplate(dest);
    return t;
  }

  drop(t: Template): void {
    if (this.byClient.get(t.key) === t) this.byClient.delete(t.key);
    unbindTemplate(t.dest);
    t.dest.releaseIfIdle();
  }

  expire(now: number): void {
    for (const t of this.byClient.values()) {
      if (now < t.expires) continue;
      if (t.controlled > 0) t.expires = now + this.persistence.timeout * 1000;
      else this.drop(t);
    }
  }

  clear(): void {
    for (const t of [...this.byClient.values()]) this.drop(t);
  }
}
