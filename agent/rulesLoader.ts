/**
 * The forwarding thread's side of the rules worker (agent/rulesWorker.ts): starts the worker thread
 * and asks it to parse and plan a rules file. Under the TypeScript sources the worker runs
 * rulesWorker.ts through tsx; in the built agent (one executable, no files) it runs the worker's own
 * bundle, which buildAgent.ts embeds as __LVS_RULES_WORKER__.
 */
import { Worker } from "node:worker_threads";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { IpvsService, IpvsServiceKey } from "../lvs/model.ts";
import type { RulesPart, RulesReply, RulesRequest } from "./rulesWorker.ts";

declare const __LVS_RULES_WORKER__: string | undefined;

type Loaded = Extract<RulesReply, { ok: true }>;
type Body = RulesRequest extends infer R ? (R extends RulesRequest ? Omit<R, "id"> : never) : never;

export class RulesLoader {
  private readonly worker: Worker;
  private next = 1;
  private readonly parts = new Map<number, IpvsService[][]>();
  private readonly waiting = new Map<number, { resolve(r: Loaded): void; reject(e: Error): void }>();

  constructor() {
    this.worker = typeof __LVS_RULES_WORKER__ === "string"
      ? new Worker(__LVS_RULES_WORKER__, { eval: true })
      : new Worker(sourceWorker(), { eval: true });
    this.worker.unref();
    this.worker.on("message", (r: RulesReply | RulesPart) => {
      if ("part" in r) {
        const parts = this.parts.get(r.id) ?? [];
        parts.push(r.part);
        this.parts.set(r.id, parts);
        return;
      }
      const w = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      const parts = this.parts.get(r.id) ?? [];
      this.parts.delete(r.id);
      if (r.ok) w?.resolve(r.changes && parts.length ? { ...r, changes: { ...r.changes, upsert: parts.flat().concat(r.changes.upsert) } } : r);
      else w?.reject(new Error(r.error));
    });
    this.worker.on("error", (e) => this.failAll(e));
    this.worker.on("exit", (code) => this.failAll(new Error(`rules worker exited (code ${code})`)));
  }

  private failAll(e: Error): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  private ask(body: Body): Promise<Loaded> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id });
    });
  }

  /** parse `path` and plan the change from the last committed table; `full` also returns the whole table */
  load(path: string, full = false): Promise<Loaded> {
    return this.ask({ kind: "load", path, full });
  }

  /** the last loaded table is now what forwards */
  async commit(): Promise<void> {
    await this.ask({ kind: "commit" });
  }

  /** these services could not be applied: plan them again next time */
  async forget(keys: IpvsServiceKey[]): Promise<void> {
    if (keys.length > 0) await this.ask({ kind: "forget", keys });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Under the TypeScript sources: a thread that loads rulesWorker.ts through tsx's API. */
function sourceWorker(): string {
  const tsx = new URL("dist/esm/api/index.mjs", pathToFileURL(createRequire(import.meta.url).resolve("tsx/package.json"))).href;
  const entry = new URL("./rulesWorker.ts", import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
}
