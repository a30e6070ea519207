/**
 * One worker of the multi-core userspace engine (clusterEngine.ts): a UserspaceEngine driven by the
 * primary over the cluster IPC channel. Its listening sockets are the primary's shared ones
 * (cluster.SCHED_NONE), so it accepts connections directly.
 */
import process from "node:process";
import { UserspaceEngine } from "./userspaceEngine.ts";
import type { ConnectionPage } from "../../engine.ts";
import type { IpvsServiceKey, IpvsTable } from "../../../lvs/model.ts";

type Request =
  | { id: number; kind: "apply"; table: IpvsTable }
  | { id: number; kind: "stats" | "read" | "close" }
  | { id: number; kind: "connections"; page: ConnectionPage }
  | { id: number; kind: "zero"; service: IpvsServiceKey | null };

const engine = new UserspaceEngine();

async function handle(req: Request): Promise<unknown> {
  switch (req.kind) {
    case "apply":
      return engine.apply(req.table);
    case "read":
      return engine.read();
    case "stats":
      return engine.stats();
    case "connections":
      return engine.connections(req.page);
    case "zero":
      return engine.zero(req.service);
    case "close":
      await engine.close();
      setImmediate(() => process.disconnect?.());
      return null;
  }
}

process.on("message", (req: Request) => {
  handle(req).then(
    (value) => process.send?.({ id: req.id, ok: true, value }),
    (e: Error) => process.send?.({ id: req.id, ok: false, error: e.message }),
  );
});
process.send?.({ ready: true });
