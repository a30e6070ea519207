/**
 * Follows drains in the background: after agent statistics arrive (`agent.report`, coalesced per
 * topology) and once a second for timeouts, evaluateDrains() moves them to drained / timed-out.
 * The state lives in the Drain rows; with several instances only the leader evaluates.
 */
import type { ServerPlugin } from "../../plugins.ts";
import { evaluateDrains } from "./drainService.ts";

export function createDrainPlugin(o: { tickMs?: number } = {}): ServerPlugin {
  return {
    name: "drain",
    start({ db, bus, log, now, cluster }) {
      const deps = { db, bus, log: log.child({ part: "drain" }), now };
      let running: Promise<unknown> = Promise.resolve();
      let queued = false;
      let closed = false;
      const run = () => {
        if (queued || closed) return;
        queued = true;
        running = running.then(async () => {
          queued = false;
          if (closed || (cluster && !cluster.cluster.isLeader())) return;
          await evaluateDrains(deps).catch((err: Error) => deps.log.warn({ err: err.message }, "drain evaluation failed"));
        });
      };
      const off = bus.subscribe("agent.report", run);
      const timer = setInterval(run, o.tickMs ?? 1000);
      timer.unref();
      return {
        async close() {
          closed = true;
          off();
          clearInterval(timer);
          await running;
        },
      };
    },
  };
}

export const drainPlugin = createDrainPlugin();
