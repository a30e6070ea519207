/**
 * Wires one agent: fail-static restore first (forwarding before any network), then the link.
 * Used by the CLI (main.ts) and by in-process tests.
 */
import os from "node:os";
import type { ForwardingEngine } from "./engine.ts";
import { Agent } from "./agent.ts";
import { AgentLink, type BackoffOptions } from "./link.ts";
import { FailStatic, type FailStaticOptions } from "./failStatic.ts";
import type { AgentLog } from "./log.ts";
import { checkersWith, type CheckerRegistry } from "./health/checkers.ts";
import { listChecks, type ExecCheckerOptions } from "./health/exec.ts";
import { realTimers, systemClock, type Clock, type Timers } from "./health/monitor.ts";
import { validateDesired } from "./validateDesired.ts";
import type { HaSupervisor } from "./ha/haSupervisor.ts";
import type { Observe } from "./prereqReporter.ts";
import { AGENT_VERSION } from "./version.ts";

export { AGENT_VERSION };

export interface RunAgentOptions {
  /** one control-plane URL or several (tried in turn) */
  server: string | readonly string[];
  token: string;
  engine: ForwardingEngine;
  stateDir: string;
  bootRules?: FailStaticOptions["bootRules"];
  log: AgentLog;
  clock?: Clock;
  timers?: Timers;
  random?: () => number;
  checkers?: CheckerRegistry;
  /** exec health checks: checks directory, user, allowRoot (defaults: /etc/lvs-agent/checks.d, nobody) */
  exec?: ExecCheckerOptions;
  backoff?: BackoffOptions;
  hostname?: string;
  insecure?: boolean;
  /** periodic re-reconcile (drift repair); default 30 s, 0 = off */
  resyncIntervalMs?: number;
  /** see AgentOptions.healDrift */
  healDrift?: boolean;
  /** VRRP through keepalived + IPVS connection sync (see agent/ha/haSupervisor.ts) */
  ha?: HaSupervisor;
  /** reads the host for the director's prerequisites (feature "prereq") */
  observeHost?: Observe;
  haStatusIntervalMs?: number;
}

export interface RunningAgent {
  agent: Agent;
  link: AgentLink;
  stop(): Promise<void>;
}

export async function runAgent(o: RunAgentOptions): Promise<RunningAgent> {
  const timers = o.timers ?? realTimers;
  const agent = new Agent({
    engine: o.engine,
    store: new FailStatic({ stateDir: o.stateDir, ...(o.bootRules ? { bootRules: o.bootRules } : {}) }),
    log: o.log, clock: o.clock ?? systemClock, timers, checkers: o.checkers ?? checkersWith(o.exec ?? {}), validate: validateDesired,
    ...(o.resyncIntervalMs != null ? { resyncIntervalMs: o.resyncIntervalMs } : {}),
    ...(o.healDrift ? { healDrift: true } : {}),
    ...(o.ha ? { ha: o.ha } : {}),
    ...(o.observeHost ? { observeHost: o.observeHost } : {}),
    ...(o.haStatusIntervalMs != null ? { haStatusIntervalMs: o.haStatusIntervalMs } : {}),
  });
  await agent.start();
  const link = new AgentLink({
    server: o.server, token: o.token, log: o.log, timers, random: o.random ?? Math.random,
    ...(o.backoff ? { backoff: o.backoff } : {}),
    ...(o.insecure ? { insecure: true } : {}),
    hello: async () => agent.hello(o.hostname ?? os.hostname(), AGENT_VERSION, await listChecks(o.exec?.dir)),
    onMessage: (msg) => void agent.handle(msg).catch((e: Error) => o.log.error(`handling ${msg.type}: ${e.message}`)),
  });
  agent.send = (m) => link.send(m);
  agent.sendStatsFields = (f) => link.sendStatsFields(f);
  agent.online = () => link.connected;
  link.start();
  return {
    agent, link,
    async stop() {
      await link.stop();
      await agent.stop();
    },
  };
}
