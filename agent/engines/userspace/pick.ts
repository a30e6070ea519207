/** Persistence + scheduling of a new connection or one-packet datagram (ForwarderHost.pick*). */
import { bindConnection, unbindConnection } from "../../../lvs/schedulers/destination.ts";
import { foldAddress } from "../../../lvs/schedulers/hash.ts";
import type { Picked } from "./host.ts";
import type { RuntimeDestination, RuntimeService } from "./runtime.ts";

function schedule(svc: RuntimeService, clientAddress: string, clientPort: number, now: number): RuntimeDestination | null {
  const ctx = svc.ctx;
  ctx.clientAddress = clientAddress;
  ctx.clientPort = clientPort;
  ctx.now = now;
  if (svc.scheduler.hashes === "source") ctx.clientFold = foldAddress(svc.key.family, clientAddress);
  return svc.scheduler.schedule(ctx);
}

/** the client's persistence template, or a newly scheduled destination (and template, if persistent) */
function lookupOrSchedule(svc: RuntimeService, clientAddress: string, clientPort: number, now: number): Picked | null {
  let template = svc.templates ? svc.templates.lookup(clientAddress, now) : null;
  let dest = template ? template.dest : null;
  if (dest === null) {
    dest = schedule(svc, clientAddress, clientPort, now);
    if (dest === null) return null;
    if (svc.templates) template = svc.templates.create(clientAddress, dest, now);
  }
  return { dest, template };
}

export function pick(svc: RuntimeService, clientAddress: string, clientPort: number, now: number): Picked | null {
  const picked = lookupOrSchedule(svc, clientAddress, clientPort, now);
  if (picked === null) return null;
  const { dest, template } = picked;
  if (template) template.controlled++;
  dest.conns++;
  bindConnection(dest);
  return picked;
}

export function pickOnePacket(svc: RuntimeService, clientAddress: string, clientPort: number, now: number): Picked | null {
  const picked = lookupOrSchedule(svc, clientAddress, clientPort, now);
  if (picked === null) return null;
  const { dest } = picked;
  dest.conns++;
  bindConnection(dest);
  unbindConnection(dest, false);
  return picked;
}
