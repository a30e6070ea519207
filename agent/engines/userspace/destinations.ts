/**
 * Live reconciliation of one service's real servers: add at the list head (kernel order), edit in place,
 * remove into the trash while connections or templates still use the server. Every change notifies the
 * scheduler (add_dest / del_dest / upd_dest) so its tables are rebuilt off the hot path.
 */
import type { AppliedOp } from "../../engine.ts";
import type { IpvsDestination } from "../../../lvs/model.ts";
import { updateDestination } from "../../../lvs/schedulers/destination.ts";
import { destKey, RuntimeDestination, type RuntimeService } from "./runtime.ts";

const endpoint = (a: string, p: number): string => (a.includes(":") ? `[${a}]:${p}` : `${a}:${p}`);

function sameSettings(d: RuntimeDestination, c: IpvsDestination): boolean {
  return (
    d.weight === c.weight &&
    d.upperThreshold === c.upperThreshold &&
    d.lowerThreshold === c.lowerThreshold &&
    d.method === c.method &&
    JSON.stringify(d.config.tunnel) === JSON.stringify(c.tunnel)
  );
}

function applySettings(svc: RuntimeService, d: RuntimeDestination, c: IpvsDestination): void {
  updateDestination(d, c);
  d.method = c.method;
  d.config = c;
  d.connectPort = c.method === "nat" ? d.port : svc.key.port;
}

export function reconcileDestinations(svc: RuntimeService, desired: readonly IpvsDestination[], name: string): AppliedOp[] {
  const ops: AppliedOp[] = [];
  const wanted = new Map(desired.map((c) => [destKey(c.address, c.port), c]));
  // removals first, so a changed list never holds two entries for one address
  for (const d of [...svc.dests]) {
    const k = destKey(d.address, d.port);
    if (wanted.has(k)) continue;
    const index = svc.dests.indexOf(d);
    svc.dests.splice(index, 1);
    d.available = false;
    d.onIdle = (x) => svc.retire(x);
    svc.trash.set(k, d);
    svc.scheduler.update?.(svc.dests, { kind: "del", destination: d, index });
    d.releaseIfIdle();
    ops.push({ op: `delete destination ${name} -> ${endpoint(d.address, d.port)}`, ok: true });
  }
  const present = new Map(svc.dests.map((d) => [destKey(d.address, d.port), d]));
  for (const c of desired) {
    const k = destKey(c.address, c.port);
    const cur = present.get(k);
    if (cur) {
      if (sameSettings(cur, c)) continue;
      applySettings(svc, cur, c);
      svc.scheduler.update?.(svc.dests, { kind: "upd", destination: cur, index: svc.dests.indexOf(cur) });
      ops.push({ op: `edit destination ${name} -> ${endpoint(c.address, c.port)} ${c.method} w=${c.weight}`, ok: true });
      continue;
    }
    let d = svc.trash.get(k);
    if (d) {
      // back from the trash, counters kept (ip_vs_trash_get_dest)
      svc.trash.delete(k);
      d.available = true;
      d.onIdle = null;
      d.lastWeight = c.weight;
      applySettings(svc, d, c);
    } else {
      d = new RuntimeDestination(svc.key.family, c.address, c.port, c, svc.key.port);
      d.estimator.reset(d.counters());
    }
    svc.dests.unshift(d);
    present.set(k, d);
    svc.scheduler.update?.(svc.dests, { kind: "add", destination: d, index: 0 });
    ops.push({ op: `add destination ${name} -> ${endpoint(c.address, c.port)} ${c.method} w=${c.weight}`, ok: true });
  }
  return ops;
}

/** The destinations as the operator listed them: reverse of the kernel's head-first list. */
export function configuredDestinations(svc: RuntimeService): IpvsDestination[] {
  const out: IpvsDestination[] = [];
  for (let i = svc.dests.length - 1; i >= 0; i--) {
    const d = svc.dests[i]!;
    out.push({ ...d.config, weight: d.weight, upperThreshold: d.upperThreshold, lowerThreshold: d.lowerThreshold, method: d.method });
  }
  return out;
}
