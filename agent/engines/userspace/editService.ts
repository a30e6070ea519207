/** Live edit of a running service of the userspace engine: scheduler/flags and persistence, kept on failure. */
import type { AppliedOp } from "../../engine.ts";
import type { IpvsService } from "../../../lvs/model.ts";
import type { SchedulerRegistry } from "../../../lvs/schedulers/registry.ts";
import { TemplateTable } from "./persistence.ts";
import type { RuntimeDestination, RuntimeService } from "./runtime.ts";

export function editService(registry: SchedulerRegistry, k: string, svc: RuntimeService, s: IpvsService, ops: AppliedOp[]): void {
  const old = svc.config;
  svc.config = s;
  if (old.scheduler !== s.scheduler || old.flags.join() !== s.flags.join()) {
    try {
      const next = old.scheduler === s.scheduler ? svc.scheduler : registry.create<RuntimeDestination>(s.scheduler);
      next.init?.({ family: svc.key.family, flags: s.flags }, svc.dests);
      svc.scheduler = next;
      ops.push({ op: `edit service ${k} -s ${s.scheduler}`, ok: true });
    } catch (e) {
      svc.config = { ...s, scheduler: old.scheduler, flags: old.flags };
      ops.push({ op: `edit service ${k} -s ${s.scheduler}`, ok: false, error: (e as Error).message });
    }
  }
  if (JSON.stringify(old.persistence) !== JSON.stringify(s.persistence) || old.onePacket !== s.onePacket) {
    if (!s.persistence) {
      svc.templates?.clear();
      svc.templates = null;
    } else if (svc.templates) svc.templates.configure(s.persistence);
    else svc.templates = new TemplateTable(s.persistence, svc.key.family);
    ops.push({ op: `edit service ${k} persistence/ops`, ok: true });
  }
}
