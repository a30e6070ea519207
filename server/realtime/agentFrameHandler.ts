/**
 * What the hub does with each frame of a connection after hello was seen: store what it persists
 * (through the AgentDirectory port), emit the typed agent event, publish on the bus, answer. Frames of
 * one connection are handed in order (agentHub.ts chains them).
 */
import type { AgentMessage, HealthTransition, ServerMessage } from "../../lvs/protocol/agent.ts";
import { AGENT_FEATURES, PROTOCOL_VERSION } from "../../lvs/protocol/agent.ts";
import { serviceKeyString } from "../../lvs/tableKey.ts";
import type { StatsSnapshot } from "../../lvs/model.ts";
import { StatsDeltaMerger, type MergeResult } from "../../lvs/stats/statsDelta.ts";
import { StatsFieldsMerger } from "../../lvs/stats/statsFields.ts";
import type { EventBus } from "../events/EventBus.ts";
import { ref, type AgentHubOptions, type Conn } from "./agentConn.ts";
import type { AgentIdentity } from "./agentDirectory.ts";
import type { AgentEvents } from "./agentEvents.ts";
import { appliedNotice, impliedTransitions } from "./agentFrames.ts";

/** What the frame handler needs from the hub. */
export interface FramePorts {
  opts: AgentHubOptions;
  events: AgentEvents;
  now: () => number;
  heartbeatMs: number;
  send(c: Conn, msg: ServerMessage): void;
  publish<C extends Parameters<EventBus["publish"]>[0]>(channel: C, payload: Parameters<EventBus["publish"]>[1] & object): Promise<void>;
  /** sends the director's desired state if it changed since the last one sent */
  push(c: Conn): Promise<void>;
}

export function createFrameHandler(p: FramePorts): (c: Conn, msg: AgentMessage) => Promise<void> {
  async function onMessage(c: Conn, msg: AgentMessage): Promise<void> {
    const d = c.director;
    const at = p.now();
    switch (msg.type) {
      case "hello": {
        if (p.opts.cluster) {
          const leasedAt = performance.now();
          const prev = await p.opts.cluster.acquire(d.id, c.id);
          c.leasedAt = leasedAt;
          if (prev && prev.instanceId !== p.opts.cluster.instanceId) {
            await p.publish("agent.taken", { directorId: d.id, instanceId: prev.instanceId, connectionId: prev.connectionId, at });
          }
        }
        await p.opts.directory.markOnline(d.id, { at, appliedRevision: msg.appliedRevision, table: msg.table, agent: { version: msg.agentVersion, protocol: msg.v, ...(msg.execChecks ? { execChecks: msg.execChecks } : {}) } });
        p.events.emit({ type: "hello", director: ref(d), appliedRevision: msg.appliedRevision, table: msg.table, at });
        p.send(c, { v: PROTOCOL_VERSION, type: "welcome", directorId: d.id, directorName: d.name, serverTime: at, heartbeatMs: p.heartbeatMs, features: [AGENT_FEATURES.healthState, AGENT_FEATURES.ha, AGENT_FEATURES.prereq, AGENT_FEATURES.statsDelta, AGENT_FEATURES.statsFields] });
        c.sentRevision = null;
        c.sentHa = null;
        await p.push(c);
        await p.publish("director.status", { directorId: d.id, topologyId: d.topologyId, online: true, at });
        return;
      }
      case "ack": {
        const applied = msg.ok ? msg.revision : msg.appliedRevision;
        await p.opts.directory.recordReport(d.id, { at, appliedRevision: applied, table: msg.table });
        p.events.emit({ type: "applied", director: ref(d), revision: msg.revision, ok: msg.ok, appliedRevision: applied, table: msg.table, at });
        if (msg.outcome !== "applied") p.opts.log.warn({ directorId: d.id, revision: msg.revision, outcome: msg.outcome, issues: msg.issues.slice(0, 5), failed: msg.ops.filter((o) => !o.ok).slice(0, 5) }, "agent did not apply revision");
        await p.publish("topology.applied", appliedNotice(d, msg, at));
        await p.publish("agent.report", { directorId: d.id, topologyId: d.topologyId, at });
        return;
      }
      case "stats":
        onSnapshot(d, msg.snapshot, at);
        return;
      case "stats.delta": {
        // merged into the whole snapshot a "stats" frame would carry: everything downstream is the same
        const { v: _v, type: _t, ...body } = msg;
        onMerged(c, (c.statsMerge ??= new StatsDeltaMerger()).apply(body), at);
        return;
      }
      case "stats.fields": {
        // per-field changes merged into the same whole snapshot; a frame that does not fit is refused whole
        const { v: _v, type: _t, ...body } = msg;
        onMerged(c, (c.statsFieldsMerge ??= new StatsFieldsMerger()).apply(body), at);
        return;
      }
      case "health":
        await recordHealth(d, msg.transitions, at);
        return;
      case "health.state":
        await recordHealth(d, await missedTransitions(d.id, msg), at);
        return;
      case "heartbeat":
        // lastSeen is best effort: frames of this link must not wait behind database writes
        touch(d.id, at);
        return;
      case "connections.response":
        c.pending.get(msg.requestId)?.(msg);
        c.pending.delete(msg.requestId);
        return;
      case "zero.response":
        c.pendingZero?.get(msg.requestId)?.(msg);
        c.pendingZero?.delete(msg.requestId);
        return;
      case "error":
        p.opts.log.warn({ directorId: d.id, code: msg.code, message: msg.message }, "agent reported an error");
        return;
      case "ha.status":
        await p.opts.onHa?.({ kind: "status", directorId: d.id, topologyId: d.topologyId, status: msg.status, at });
        return;
      case "director.prereq":
        await p.opts.onPrereq?.({ directorId: d.id, topologyId: d.topologyId, revision: msg.revision, checks: msg.checks, errors: msg.errors, at });
        return;
      case "ha.transition":
        p.opts.log.info({ directorId: d.id, transitions: msg.transitions.map((t) => `${t.name} ${t.from}->${t.to}`) }, "VRRP state change");
        await p.opts.onHa?.({ kind: "transitions", directorId: d.id, topologyId: d.topologyId, transitions: msg.transitions, at });
        return;
    }
  }

  function onMerged(c: Conn, r: MergeResult, at: number): void {
    if (r.kind === "snapshot") onSnapshot(c.director, r.snapshot, at);
    else if (r.kind === "out-of-sync" && r.ask) {
      p.opts.log.warn({ directorId: c.director.id, reason: r.reason }, "agent stats out of sync; asking for a full update");
      p.send(c, { v: PROTOCOL_VERSION, type: "stats.resync", reason: r.reason.slice(0, 512) });
    }
  }

  function onSnapshot(d: AgentIdentity, snapshot: StatsSnapshot, at: number): void {
    p.events.emit({ type: "stats", director: ref(d), snapshot, at });
    // not awaited: this agent's next stats frame must not wait for the database or the bus (a
    // NOTIFY round trip per frame behind a busy pool delayed live stats by seconds in bench:fanout)
    touch(d.id, at);
    void p.publish("agent.report", { directorId: d.id, topologyId: d.topologyId, at });
  }

  function touch(directorId: string, at: number): void {
    void p.opts.directory.touch(directorId, at).catch((e: Error) => p.opts.log.warn({ directorId, err: e.message }, "lastSeen update failed"));
  }

  async function recordHealth(d: AgentIdentity, transitions: HealthTransition[], at: number): Promise<void> {
    if (!transitions.length) return;
    const directorId = d.id;
    await p.opts.directory.recordTransitions(directorId, transitions);
    p.events.emit({ type: "health", director: ref(d), transitions, at });
    for (const t of transitions) {
      await p.publish("health.changed", {
        directorId, serviceKey: serviceKeyString(t.service), rip: t.destination.address, port: t.destination.port,
        from: t.from, to: t.to, at: t.at,
      });
    }
  }

  async function missedTransitions(directorId: string, msg: Extract<AgentMessage, { type: "health.state" }>): Promise<HealthTransition[]> {
    return impliedTransitions(await p.opts.directory.latestHealth(directorId), msg);
  }

  return onMessage;
}
