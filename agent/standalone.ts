/**
 * Standalone mode: `lvs-agent run --engine userspace --rules FILE [--stats-interval S] [--exact]`.
 * Reads an ipvsadm rules file (ipvsadm-save output or ipvsadm command lines), forwards with the
 * userspace engine, prints `ipvsadm -Ln --stats` on SIGUSR2 or every interval, reloads the file on
 * SIGHUP with live reconfiguration: the file is parsed and the change planned in a worker thread
 * (agent/rulesWorker.ts), and only the changed services are applied here. A malformed file is reported as `FILE:LINE: message`; at start it
 * is fatal, on reload the previous configuration keeps forwarding.
 */
import { parseArgs } from "node:util";
import { renderStats } from "../lvs/formats/listings/stats.ts";
import { UserspaceEngine, type UserspaceEngineOptions } from "./engines/userspace/userspaceEngine.ts";
import { ClusterEngine } from "./engines/userspace/clusterEngine.ts";
import { RulesLoader } from "./rulesLoader.ts";
import { DEFAULT_TCP_RELAY } from "./engines/userspace/tcpRelay.ts";
import { standaloneHelperDir, preferCarriedHelper } from "./nativeHelpers.ts";

export interface StandaloneOptions {
  /** path of the rules file */
  rules: string;
  /** print stats every this many ms (0/undefined: only on SIGUSR2) */
  statsIntervalMs?: number;
  /** `--exact` numbers in the stats */
  exact?: boolean;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
  engine?: UserspaceEngineOptions;
  /** install SIGHUP/SIGUSR2/SIGINT/SIGTERM handlers (default true) */
  signals?: boolean;
  /** worker processes sharing the listening sockets (default 1: forward in this process); see clusterEngine.ts */
  workers?: number;
}

export interface Standalone {
  engine: UserspaceEngine | ClusterEngine;
  /** re-read the file; false (and the previous table kept) when it is malformed or cannot be applied */
  reload(): Promise<boolean>;
  printStats(): Promise<void>;
  stop(): Promise<void>;
  /** resolves when stopped (by signal or stop()) */
  stopped: Promise<void>;
}

export class RulesFileError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join("\n"));
    this.name = "RulesFileError";
  }
}

/**
 * Parses and plans in the rules worker (off this thread, which forwards), then applies only the
 * services that changed, a few at a time (UserspaceEngine.applyChanges yields between them): a reload
 * of a 2 MB file no longer stops forwarding while it is parsed. The multi-process engine gets the
 * whole table (its workers forward; this process only plans).
 */
async function load(engine: UserspaceEngine | ClusterEngine, loader: RulesLoader, path: string, err: NodeJS.WritableStream): Promise<void> {
  const full = engine instanceof ClusterEngine;
  const parsed = await loader.load(path, full);
  for (const w of parsed.warnings) err.write(`${path}:${w.line}: warning: ${w.message}\n`);
  if (parsed.errors.length > 0 || !parsed.changes) throw new RulesFileError(parsed.errors.map((e) => `${path}:${e.line}: ${e.message}`));
  const result = engine instanceof ClusterEngine ? await engine.apply(parsed.table!) : await engine.applyChanges(parsed.changes);
  await loader.commit();
  if (engine instanceof UserspaceEngine) await loader.forget(parsed.changes.upsert.filter((s) => !engine.hasService(s)));
  for (const n of result.notes) err.write(`${path}: ${n.kind}: ${n.message}\n`);
  for (const o of result.ops) if (!o.ok) err.write(`${path}: ${o.op}: ${o.error ?? "failed"}\n`);
}

export async function startStandalone(o: StandaloneOptions): Promise<Standalone> {
  const out = o.out ?? process.stdout;
  const err = o.err ?? process.stderr;
  const workers = o.workers ?? 1;
  // the single executable carries the native relay: used when no setting and no .deb names one
  if (o.engine?.tcpRelay === undefined) {
    preferCarriedHelper("lvs-tcp-relay", { envName: "LVS_AGENT_TCP_RELAY", installed: DEFAULT_TCP_RELAY, dir: standaloneHelperDir(), warn: (l) => void err.write(`${l}\n`) });
  }
  const engine = workers > 1 ? new ClusterEngine({ workers, log: (l) => void err.write(`${l}\n`) }) : new UserspaceEngine(o.engine);
  const loader = new RulesLoader();
  try {
    if (engine instanceof ClusterEngine) await engine.start();
    await load(engine, loader, o.rules, err);
  } catch (e) {
    await engine.close();
    await loader.close();
    throw e;
  }
  let stopResolve: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (stopResolve = r));
  const printStats = async (): Promise<void> => {
    const snap = await engine.stats();
    out.write(renderStats({ services: snap.services }, { exact: o.exact ?? false }));
  };
  let reloading = Promise.resolve(true);
  const reload = (): Promise<boolean> => {
    reloading = reloading.then(async () => {
      try {
        await load(engine, loader, o.rules, err);
        err.write(`${o.rules}: reloaded\n`);
        return true;
      } catch (e) {
        err.write(`${e instanceof RulesFileError ? e.message : `${o.rules}: ${(e as Error).message}`}\n`);
        err.write(`${o.rules}: reload failed, the previous configuration keeps forwarding\n`);
        return false;
      }
    });
    return reloading;
  };
  const timer = o.statsIntervalMs ? setInterval(() => void printStats(), o.statsIntervalMs) : null;
  const onHup = (): void => void reload();
  const onUsr2 = (): void => void printStats();
  const onStop = (): void => void stop();
  const signals = o.signals ?? true;
  if (signals) {
    process.on("SIGHUP", onHup);
    process.on("SIGUSR2", onUsr2);
    process.on("SIGINT", onStop);
    process.on("SIGTERM", onStop);
  }
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (timer) clearInterval(timer);
      if (signals) {
        process.off("SIGHUP", onHup);
        process.off("SIGUSR2", onUsr2);
        process.off("SIGINT", onStop);
        process.off("SIGTERM", onStop);
      }
      await engine.close();
      await loader.close();
      stopResolve();
    })();
    return stopping;
  };
  return { engine, reload, printStats, stop, stopped };
}

const USAGE = `usage: lvs-agent run --engine userspace --rules FILE [--stats-interval SECONDS] [--exact] [--workers N]
  SIGHUP reloads FILE (live, established connections kept); SIGUSR2 prints ipvsadm -Ln --stats
  --workers N: N processes share the listening sockets (TCP without -p/-x/-y on all, the rest on the first)
`;

/** CLI entry (agent/main.ts passes the words after `run`), or programmatic with options. Returns an exit code. */
export async function runStandalone(args: string[] | StandaloneOptions): Promise<number> {
  let opts: StandaloneOptions;
  if (Array.isArray(args)) {
    let values;
    try {
      ({ values } = parseArgs({
        args,
        options: {
          engine: { type: "string", default: "userspace" },
          rules: { type: "string" },
          "stats-interval": { type: "string" },
          exact: { type: "boolean", default: false },
          workers: { type: "string", default: "1" },
          help: { type: "boolean", short: "h" },
        },
        strict: true,
      }));
    } catch (e) {
      process.stderr.write(`lvs-agent run: ${(e as Error).message}\n${USAGE}`);
      return 2;
    }
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (values.engine !== "userspace") {
      process.stderr.write(`lvs-agent run: --engine must be userspace (got ${values.engine}); the kernel engine runs under the control plane\n`);
      return 2;
    }
    if (!values.rules) {
      process.stderr.write(`lvs-agent run: --rules FILE is required\n${USAGE}`);
      return 2;
    }
    const interval = values["stats-interval"] === undefined ? 0 : Number(values["stats-interval"]);
    if (!Number.isFinite(interval) || interval < 0) {
      process.stderr.write(`lvs-agent run: --stats-interval must be a number of seconds (got ${values["stats-interval"]})\n`);
      return 2;
    }
    const workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
      process.stderr.write(`lvs-agent run: --workers must be a whole number 1..64 (got ${values.workers})\n`);
      return 2;
    }
    opts = { rules: values.rules, statsIntervalMs: interval * 1000, exact: values.exact, workers };
  } else {
    opts = args;
  }
  let s: Standalone;
  try {
    s = await startStandalone(opts);
  } catch (e) {
    (opts.err ?? process.stderr).write(`${e instanceof RulesFileError ? e.message : `${opts.rules}: ${(e as Error).message}`}\n`);
    return 1;
  }
  const w = opts.workers ?? 1;
  (opts.err ?? process.stderr).write(`lvs-agent: forwarding ${opts.rules} with the userspace engine (pid ${process.pid}${w > 1 ? `, ${w} workers` : ""})\n`);
  await s.stopped;
  return 0;
}
