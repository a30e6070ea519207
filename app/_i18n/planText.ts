/**
 * Plan operations (lvs/ops Op) and revision changes (lvs/diff Change) in the UI language. The server
 * sends them structured (next to its English line); here each becomes a sentence from the catalogue
 * (`planText.*`), with service keys, addresses, schedulers and ipvsadm flags left as they are.
 * Without a catalogue entry (an older server, an op kind added on one side only) the English line
 * the server sent is shown. Pure: the catalogue is passed in.
 */
import { formatAddressPort } from "@/lvs/address.ts";
import { showValue, type Change, type ValueWords } from "@/lvs/diff.ts";
import type { IpvsDestination, IpvsTimeouts } from "@/lvs/model.ts";
import type { Op, ServiceSpec } from "@/lvs/ops.ts";
import { describeServiceKey } from "@/lvs/tableKey.ts";
import type { Catalogue } from "./codedText.ts";

const N = "planText";
const f = (cat: Catalogue, key: string, params: Record<string, string | number> = {}) => cat.format(`${N}.${key}`, params);

function spec(cat: Catalogue, s: ServiceSpec): string {
  const parts = [f(cat, "spec.scheduler", { scheduler: s.scheduler })];
  if (s.flags.length) parts.push(f(cat, "spec.flags", { flags: s.flags.join(",") }));
  if (s.persistence) {
    parts.push(s.persistence.netmask
      ? f(cat, "spec.persistentMask", { timeout: s.persistence.timeout, netmask: s.persistence.netmask })
      : f(cat, "spec.persistent", { timeout: s.persistence.timeout }));
  }
  if (s.persistenceEngine) parts.push(`pe ${s.persistenceEngine}`);
  if (s.onePacket) parts.push("one-packet");
  return parts.join(f(cat, "sep"));
}

function dest(cat: Catalogue, d: IpvsDestination): string {
  const parts = [f(cat, `method.${d.method}`), f(cat, "dest.weight", { weight: d.weight })];
  if (d.tunnel && d.tunnel.type !== "ipip") parts.push(`${d.tunnel.type}${d.tunnel.port ? ` port ${d.tunnel.port}` : ""} ${d.tunnel.checksum ?? "nocsum"}`);
  if (d.upperThreshold) parts.push(f(cat, "dest.upper", { n: d.upperThreshold }));
  if (d.lowerThreshold) parts.push(f(cat, "dest.lower", { n: d.lowerThreshold }));
  return parts.join(f(cat, "sep"));
}

function timeouts(cat: Catalogue, t: IpvsTimeouts): string {
  const v = (n: number) => (n === 0 ? f(cat, "timeout.unchanged") : f(cat, "timeout.seconds", { n }));
  return `tcp ${v(t.tcp)}${f(cat, "sep")}tcpfin ${v(t.tcpfin)}${f(cat, "sep")}udp ${v(t.udp)}`;
}

const arrow = (from: string | null, to: string) => (from === null ? to : `${from} → ${to}`);

/** One plan operation as a sentence; `fallback` is the server's English line. */
export function opText(cat: Catalogue, o: Op, fallback: string): string {
  if (!cat.has(`${N}.op.${o.kind}`)) return fallback;
  try {
    const drop = o.dropsConnections ? f(cat, "drops") : "";
    switch (o.kind) {
      case "clear":
        return f(cat, "op.clear", { drop });
      case "add-service":
        return f(cat, "op.add-service", { service: describeServiceKey(o.service), spec: spec(cat, o.service) });
      case "edit-service":
        return f(cat, "op.edit-service", { service: describeServiceKey(o.service), change: arrow(o.previous ? spec(cat, o.previous) : null, spec(cat, o.service)) });
      case "delete-service":
        return f(cat, "op.delete-service", { service: describeServiceKey(o.service), drop });
      case "add-destination":
        return f(cat, "op.add-destination", { rs: formatAddressPort(o.destination.address, o.destination.port), service: describeServiceKey(o.service), spec: dest(cat, o.destination) });
      case "edit-destination": {
        const quiesce = o.destination.weight === 0 && (o.previous?.weight ?? 1) !== 0 ? f(cat, "quiesce") : "";
        return f(cat, "op.edit-destination", {
          rs: formatAddressPort(o.destination.address, o.destination.port), service: describeServiceKey(o.service),
          change: arrow(o.previous ? dest(cat, o.previous) : null, dest(cat, o.destination)), quiesce,
        });
      }
      case "delete-destination":
        return f(cat, "op.delete-destination", { rs: formatAddressPort(o.destination.address, o.destination.port), service: describeServiceKey(o.service), drop });
      case "set-timeouts":
        return f(cat, "op.set-timeouts", { change: arrow(o.previous ? timeouts(cat, o.previous) : null, timeouts(cat, o.timeouts)) });
    }
  } catch {
    return fallback;
  }
  return fallback;
}

/** lvs/diff's value notation with "none", methods and states in the UI language. */
const valueWords = (cat: Catalogue): ValueWords => ({
  none: f(cat, "none"),
  word: (field, v) => (field === "method" ? word(cat, "methodValue", v) : field === "state" ? word(cat, "state", v) : v),
});

function word(cat: Catalogue, field: string, v: string): string {
  const key = `${N}.${field}.${v}`;
  return cat.has(key) ? cat.format(key, {}) : v;
}

function fieldName(cat: Catalogue, field: string): string {
  const key = `${N}.field.${field}`;
  return cat.has(key) ? cat.format(key, {}) : field;
}

/** A Change as it arrives over tRPC (unknown fields become optional in the inferred type). */
export type ChangeLike = Omit<Change, "fields"> & { fields: { field: string; from?: unknown; to?: unknown }[] };

/** One revision change as a line: "+ …", "- …", "~ …: field a → b". `fallback` is the server's English line. */
export function changeText(cat: Catalogue, c: ChangeLike, fallback: string): string {
  try {
    const sign = c.action === "added" ? "+" : c.action === "removed" ? "-" : "~";
    const what = c.kind === "realServer" ? f(cat, "kind.realServer", { label: c.label })
      : c.kind === "director" ? f(cat, "kind.director", { name: c.label.replace(/^director /, "") })
      : c.label;
    if (c.action !== "changed") return `${sign} ${what}`;
    const words = valueWords(cat);
    const fields = c.fields.map((x) => `${fieldName(cat, x.field)} ${showValue(x.from, x.field, words)} → ${showValue(x.to, x.field, words)}`);
    return `${sign} ${what}${f(cat, "colon")}${fields.join(f(cat, "sep"))}`;
  } catch {
    return fallback;
  }
}
