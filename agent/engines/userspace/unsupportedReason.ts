import type { AppliedOp, EngineNote } from "../../engine.ts";
import type { IpvsService } from "../../../lvs/model.ts";
import { agentServiceKeyText, serviceKeyOf } from "../../../lvs/tableKey.ts";

/** Why the userspace engine cannot forward this service, or null when it can. */
export function unsupportedReason(s: IpvsService): string | null {
  if (s.protocol === "fwmark") return "fwmark services need the kernel (netfilter marks); not supported by the userspace engine";
  if (s.protocol === "sctp") return "SCTP is not supported by the userspace engine";
  if (s.port === 0) return "port 0 (all ports, persistent) services are not supported by the userspace engine";
  if (s.persistenceEngine) return `persistence engine "${s.persistenceEngine}" is not supported by the userspace engine`;
  return null;
}

/** Notes and skips a service the engine cannot forward; true when it was skipped. */
export function skipUnsupported(s: IpvsService, ops: AppliedOp[], notes: EngineNote[]): boolean {
  const unsupported = unsupportedReason(s);
  if (!unsupported) return false;
  notes.push({ kind: "unsupported", service: serviceKeyOf(s), message: unsupported });
  ops.push({ op: `skip ${agentServiceKeyText(serviceKeyOf(s))}`, ok: false, error: unsupported });
  return true;
}
