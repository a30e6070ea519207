/**
 * Wires the real-server role to the control plane: fail-static restore first (the VIPs and sysctls
 * back before any network), then the same AgentLink as a director's agent (token, reconnect with
 * backoff, TLS). Used by `lvs-agent realserver --server …` and by tests.
 */
import os from "node:os";
import { AgentLink, type BackoffOptions } from "../link.ts";
import type { AgentLog } from "../log.ts";
import { realTimers, systemClock, type Clock, type Timers } from "../health/monitor.ts";
import { AGENT_VERSION } from "../version.ts";
import { FileRealServerStateStore } from "./realServerState.ts";
import { RealServerPreparer } from "./realServerPreparer.ts";
import { RealServerAgent, type ApplyPolicy } from "./realServerAgent.ts";
import type { RealServerSystem } from "./realServerSystem.ts";

export interface RunRealServerAgentOptions {
  server: string | readonly string[];
  token: string;
  system: RealServerSystem;
  stateDir: string;
  apply: ApplyPolicy;
  log: AgentLog;
  clock?: Clock;
  timers?: Timers;
  random?: () => number;
  backoff?: BackoffOptions;
  hostname?: string;
  insecure?: boolean;
  recheckMs?: number;
}

export interface RunningRealServerAgent {
  agent: RealServerAgent;
  link: AgentLink;
  stop(): Promise<void>;
}

export async function runRealServerAgent(o: RunRealServerAgentOptions): Promise<RunningRealServerAgent> {
  const timers = o.timers ?? realTimers;
  const clock = o.clock ?? systemClock;
  const preparer = new RealServerPreparer({ system: o.system, store: new FileRealServerStateStore(o.stateDir), log: o.log, clock });
  const agent = new RealServerAgent({ preparer, apply: o.apply, log: o.log, clock, timers, ...(o.recheckMs != null ? { recheckMs: o.recheckMs } : {}) });
  await agent.start();
  const link = new AgentLink({
    server: o.server, token: o.token, log: o.log, timers, random: o.random ?? Math.random,
    ...(o.backoff ? { backoff: o.backoff } : {}),
    ...(o.insecure ? { insecure: true } : {}),
    hello: async () => agent.hello(o.hostname ?? os.hostname(), AGENT_VERSION),
    onMessage: (msg) => void agent.handle(msg).catch(() => {}),
  });
  agent.send = (m) => link.send(m);
  link.start();
  return {
    agent, link,
    async stop() {
      await link.stop();
      await agent.stop();
    },
  };
}
