/**
 * Follows drains in the background: after agent statistics arrive (`agent.report`, coalesced per
 * topology) and once a second for timeouts, evaluateDrains() moves them to drained / timed-out.
 * Every instance may run it: the state lives in the Drain rows.
 */
import type { ServerPlugin } from "../../plugins.ts";
import { evaluateDrains } from "./drainService.ts";

export function createDrainPlugin(o: { tickMs?: number } = {}): ServerPlugin {
  return {
    name: "drain",
    start({ db, bus, log, now }) {
      const deps = { db, bus, log: log.child({ part: "drain" }), now };
      let running: Promise<unknown> = Promise.resolve();
      let queued = false;
      let closed = false;
      const run = () => {
        if (queued || closed) return;
        queued = true;
        running = running.then(async () => {
          queued = false;
          if (closed) return;
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
