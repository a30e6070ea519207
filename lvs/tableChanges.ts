/**
 * The services that differ between two IpvsTables, by service key: what a live reload must touch.
 * Used by the standalone agent's reload worker so the forwarding thread applies only the changed
 * services (a 4 001-service file whose one weight changed is one upsert, not 4 001). Pure.
 */
import type { IpvsService, IpvsServiceKey, IpvsTable } from "./model.ts";
import { agentServiceKeyText, serviceKeyOf } from "./tableKey.ts";

export interface TableChanges {
  /** services to add or to bring to this configuration (destinations included), in the new table's order */
  upsert: IpvsService[];
  /** services of the old table the new one does not have */
  remove: IpvsServiceKey[];
}

export function tableChanges(before: IpvsTable, after: IpvsTable): TableChanges {
  const old = new Map<string, string>();
  for (const s of before.services) old.set(agentServiceKeyText(serviceKeyOf(s)), JSON.stringify(s));
  const upsert: IpvsService[] = [];
  const seen = new Set<string>();
  for (const s of after.services) {
    const k = agentServiceKeyText(serviceKeyOf(s));
    seen.add(k);
    if (old.get(k) !== JSON.stringify(s)) upsert.push(s);
  }
  const remove = before.services.filter((s) => !seen.has(agentServiceKeyText(serviceKeyOf(s)))).map(serviceKeyOf);
  return { upsert, remove };
}
