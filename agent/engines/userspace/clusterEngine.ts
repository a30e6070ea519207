/**
 * Multi-core userspace engine: N worker processes (node:cluster), each a full UserspaceEngine, that
 * share the listening sockets. `cluster.SCHED_NONE`: the primary creates each listening socket once
 * and every worker accepts on the same socket, so the KERNEL spreads new connections over the
 * workers (no hand-off through the primary; the primary forwards nothing).
 *
 * Which worker serves what (kernel semantics kept where state must be shared):
 *  - TCP services without persistence and without thresholds are served by EVERY worker. Each
 *    worker runs its own scheduler over its own connections: rr rotates per worker, wlc/lc/sed/nq
 *    weigh a worker's own active/inactive counts. With the kernel spreading accepts evenly this
 *    keeps the kernel's proportions overall (weights hold; each worker is a small IPVS), but the
 *    exact sequence of one kernel scheduler is not reproduced across workers.
 *  - Services whose correctness needs one shared state are served by worker 0 alone, exactly as
 *    the single-process engine does: persistence (-p: templates must see every connection of a
 *    client), upper/lower thresholds (-x/-y count all connections of a real server), and UDP
 *    (a datagram flow must keep its connection entry).
 * Statistics are the sum over the workers (counters, rates, ActiveConn/InActConn, persistent
 * connections) per service and real server; the table (read) is worker 0's, which holds every
 * service. A worker that dies is replaced and given the current table.
 */
import cluster, { type Worker } from "node:cluster";

declare const __LVS_AGENT_VERSION__: string | undefined;
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ApplyResult, ConnectionList, ConnectionPage, ForwardingEngine } from "../../engine.ts";
import type { Counters, IpvsService, IpvsServiceKey, IpvsTable, Rates, StatsSnapshot } from "../../../lvs/model.ts";
import { destinationKeyString, serviceKeyString } from "../../../lvs/tableKey.ts";

export interface ClusterEngineOptions {
  workers: number;
  /** where worker exits are reported (default stderr) */
  log?: (line: string) => void;
}

/** Can every worker serve this service with its own scheduler state (see the module comment)? */
export function servedByEveryWorker(s: IpvsService): boolean {
  return s.protocol === "tcp" && s.persistence === null && s.destinations.every((d) => d.upperThreshold === 0 && d.lowerThreshold === 0);
}

/** The part of `table` worker `index` serves. */
export function workerTable(table: IpvsTable, index: number): IpvsTable {
  return index === 0 ? table : { services: table.services.filter(servedByEveryWorker) };
}

type Body = { kind: "apply"; table: IpvsTable } | { kind: "stats" | "read" | "close" } | { kind: "connections"; page: ConnectionPage } | { kind: "zero"; service: IpvsServiceKey | null };
type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** Sum of per-worker snapshots, in worker 0's order. */
export function mergeSnapshots(snaps: readonly StatsSnapshot[]): StatsSnapshot {
  const [first, ...rest] = snaps;
  if (!first) return { at: 0, services: [] };
  const out: StatsSnapshot = structuredClone(first);
  const services = new Map(out.services.map((s) => [serviceKeyString(s.key), s]));
  const add = <T extends Counters | Rates>(into: T, from: T): void => {
    const a = into as unknown as Record<string, number>;
    const b = from as unknown as Record<string, number>;
    for (const k of Object.keys(b)) a[k] = (a[k] ?? 0) + (b[k] ?? 0);
  };
  for (const snap of rest) {
    for (const s of snap.services) {
      const into = services.get(serviceKeyString(s.key));
      if (!into) continue;
      add(into.counters, s.counters);
      add(into.rates, s.rates);
      const dests = new Map(into.destinations.map((d) => [destinationKeyString(d), d]));
      for (const d of s.destinations) {
        const di = dests.get(destinationKeyString(d));
        if (!di) continue;
        di.activeConns += d.activeConns;
        di.inactConns += d.inactConns;
        di.persistConns += d.persistConns;
        add(di.counters, d.counters);
        add(di.rates, d.rates);
      }
    }
  }
  return out;
}

export class ClusterEngine implements ForwardingEngine {
  readonly kind = "userspace" as const;
  private readonly workers: Array<Worker | null>;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private seq = 0;
  private table: IpvsTable = { services: [] };
  private closing = false;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: ClusterEngineOptions) {
    if (!cluster.isPrimary) throw new Error("ClusterEngine runs in the primary process");
    if (!Number.isInteger(opts.workers) || opts.workers < 1) throw new Error(`workers must be a positive integer (got ${opts.workers})`);
    this.log = opts.log ?? ((l) => void process.stderr.write(`${l}\n`));
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.setupPrimary(typeof __LVS_AGENT_VERSION__ === "string"
      // the built agent (one executable): a worker is the same executable, its entry
      // (agent/packaging/entry.ts) runs clusterWorker.ts when LVS_CLUSTER_WORKER is set
      ? { execArgv: [], silent: false }
      : {
        exec: fileURLToPath(new URL("./clusterWorker.ts", import.meta.url)),
        // tsx by absolute URL: a bare "tsx" resolves from the working directory, and the agent may be
        // started anywhere (workers then died at once with ERR_MODULE_NOT_FOUND)
        execArgv: [...process.execArgv.filter((a) => !a.startsWith("--cpu-prof")), "--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href],
        silent: false,
      });
    this.workers = Array.from({ length: opts.workers }, () => null);
  }

  /** Starts the workers (each answers once it is ready). */
  async start(): Promise<void> {
    await Promise.all(this.workers.map((_, i) => this.fork(i)));
  }

  private fork(index: number): Promise<void> {
    const w = cluster.fork({ LVS_CLUSTER_WORKER: String(index) });
    this.workers[index] = w;
    w.on("message", (m: Reply | { ready: true }) => {
      if ("ready" in m) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.error));
    });
    w.on("exit", (code, signal) => {
      if (this.workers[index] !== w) return;
      this.workers[index] = null;
      if (this.closing) return;
      this.log(`userspace worker ${index} exited (${signal ?? `code ${code}`}); starting a new one`);
      void this.fork(index).then(() => this.ask(index, { kind: "apply", table: workerTable(this.table, index) })).catch((e: Error) => this.log(`userspace worker ${index}: ${e.message}`));
    });
    return new Promise((resolve, reject) => {
      w.once("message", (m: { ready?: true }) => (m.ready ? resolve() : undefined));
      w.once("error", reject);
    });
  }

  private ask<T>(index: number, req: Body): Promise<T> {
    const w = this.workers[index];
    if (!w) return Promise.reject(new Error(`userspace worker ${index} is not running`));
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.send({ ...req, id });
    });
  }

  private all<T>(req: (index: number) => Body): Promise<T[]> {
    return Promise.all(this.workers.map((_, i) => this.ask<T>(i, req(i))));
  }

  async apply(desired: IpvsTable): Promise<ApplyResult> {
    this.table = desired;
    const results = await this.all<ApplyResult>((i) => ({ kind: "apply", table: workerTable(desired, i) }));
    const [first, ...rest] = results as [ApplyResult, ...ApplyResult[]];
    const failed = rest.flatMap((r, i) => r.ops.filter((o) => !o.ok).map((o) => ({ ...o, op: `worker ${i + 1}: ${o.op}` })));
    return { ...first, ok: results.every((r) => r.ok), ops: [...first.ops, ...failed] };
  }

  read(): Promise<IpvsTable> {
    return this.ask<IpvsTable>(0, { kind: "read" });
  }

  async stats(): Promise<StatsSnapshot> {
    return mergeSnapshots(await this.all<StatsSnapshot>(() => ({ kind: "stats" })));
  }

  async connections(page: ConnectionPage): Promise<ConnectionList> {
    const lists = await this.all<ConnectionList>(() => ({ kind: "connections", page: { ...page, offset: 0, limit: page.offset + page.limit } }));
    return {
      total: lists.reduce((n, l) => n + l.total, 0),
      entries: lists.flatMap((l) => l.entries).slice(page.offset, page.offset + page.limit),
    };
  }

  /** every worker counts its own connections: each one zeroes its share */
  async zero(service: IpvsServiceKey | null): Promise<void> {
    if (service && !this.table.services.some((s) => serviceKeyString(s) === serviceKeyString(service))) throw new Error("No such service");
    const runs = (i: number) => !service || workerTable(this.table, i).services.some((s) => serviceKeyString(s) === serviceKeyString(service));
    await Promise.all(this.workers.map((_, i) => (runs(i) ? this.ask(i, { kind: "zero", service }) : null)));
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled(this.workers.map((_, i) => this.ask(i, { kind: "close" })));
    for (const w of this.workers) w?.disconnect();
    for (const p of this.pending.values()) p.reject(new Error("engine closed"));
    this.pending.clear();
  }
}
