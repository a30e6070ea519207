/** The agent hub's pure pieces: HTTP refusals, the topology.applied notice of an ack, transitions implied by health.state. */
import type { Duplex } from "node:stream";
import type { AgentMessage, HealthTransition } from "../../lvs/protocol/agent.ts";
import { serviceKeyString } from "../../lvs/tableKey.ts";
import type { AgentIdentity, StoredHealth } from "./agentDirectory.ts";

/** Why a revision did not apply, most specific first: a failed operation, a blocking issue, any issue. */
export function failureMessage(msg: Extract<AgentMessage, { type: "ack" }>): string {
  const op = msg.ops.find((o) => !o.ok);
  if (op) return `${op.op}: ${op.error ?? "failed"}`;
  const issue = msg.issues.find((i) => i.severity === "error") ?? msg.issues[0];
  return issue ? `${issue.path}: ${issue.message}` : msg.outcome;
}

export function refuse(socket: Duplex, status: number, reason: string): void {
  const text = status === 401 ? "Unauthorized" : status === 404 ? "Not Found" : "Bad Request";
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
}

/** The `topology.applied` event of an agent's ack (bounded texts: the bus and the browser carry them). */
export function appliedNotice(d: AgentIdentity, msg: Extract<AgentMessage, { type: "ack" }>, at: number) {
  return {
    topologyId: d.topologyId, directorId: d.id, revision: msg.revision, outcome: msg.ok ? ("ok" as const) : ("failed" as const),
    message: msg.ok ? null : failureMessage(msg).slice(0, 1024),
    errors: [
      ...msg.ops.filter((o) => !o.ok).map((o) => ({ op: o.op.slice(0, 200), error: (o.error ?? "failed").slice(0, 300) })),
      ...msg.issues.filter((i) => i.severity === "error").map((i) => ({ op: i.path.slice(0, 200), error: i.message.slice(0, 300) })),
    ].slice(0, 8),
    at,
  };
}

/**
 * The transitions a "health.state" report implies: one per target whose reported state differs from
 * the latest stored one. A target with nothing stored counts as up (the agent starts targets up and
 * the control plane shows them so), so only a "down" is recorded for it, from "unknown". Stamped at
 * the report's time, never before the stored transition, so each history stays in order.
 */
export function impliedTransitions(storedHealth: readonly StoredHealth[], msg: Extract<AgentMessage, { type: "health.state" }>): HealthTransition[] {
  const stored = new Map(storedHealth.map((h) => [`${h.serviceKey}|${h.address}|${h.port}`, h]));
  const out: HealthTransition[] = [];
  for (const s of msg.states) {
    const prev = stored.get(`${serviceKeyString(s.service)}|${s.destination.address}|${s.destination.port}`);
    if ((prev?.state ?? "up") === s.state) continue;
    out.push({
      service: s.service, destination: s.destination, realServerId: s.realServerId, serviceId: s.serviceId,
      from: prev?.state ?? "unknown", to: s.state, at: Math.max(msg.at, prev?.at ?? 0),
      message: `reported on reconnect${s.message ? `: ${s.message}` : ""}`.slice(0, 1024),
    });
  }
  return out;
}
