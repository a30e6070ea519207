/**
 * The standalone agent's rules worker (a node:worker_threads thread, agent/rulesLoader.ts): reads and
 * parses the rules file and plans the change against the table it planned last, so the forwarding
 * thread never parses a 2 MB file; it receives only the services that changed. It remembers what it
 * planned; the forwarding thread says which services it could not apply (`forget`), so the next
 * reload tries them again.
 */
import fs from "node:fs/promises";
import { parentPort } from "node:worker_threads";
import type { IpvsService, IpvsServiceKey, IpvsTable } from "../lvs/model.ts";
import { parseRules } from "../lvs/formats/ipvsadm/parse.ts";
import { tableChanges, type TableChanges } from "../lvs/tableChanges.ts";
import { agentServiceKeyText, serviceKeyOf } from "../lvs/tableKey.ts";

export type RulesRequest =
  | { id: number; kind: "load"; path: string; full: boolean }
  | { id: number; kind: "commit" }
  | { id: number; kind: "forget"; keys: IpvsServiceKey[] };

export type RulesReply =
  | { id: number; ok: true; errors: { line: number; message: string }[]; warnings: { line: number; message: string }[]; changes: TableChanges | null; table: IpvsTable | null }
  | { id: number; ok: false; error: string };

/** services per message of a plan's upserts */
const PART = 64;

/** some of a load's upserts, sent before its reply (which then carries none) */
export type RulesPart = { id: number; part: IpvsService[] };

let applied: IpvsTable = { services: [] };
let pending: IpvsTable | null = null;

async function handle(req: RulesRequest): Promise<RulesReply> {
  switch (req.kind) {
    case "load": {
      const parsed = parseRules(await fs.readFile(req.path, "utf8"));
      if (parsed.errors.length > 0) return { id: req.id, ok: true, errors: parsed.errors, warnings: parsed.warnings, changes: null, table: null };
      pending = parsed.table;
      const changes = tableChanges(applied, parsed.table);
      // in small messages: the forwarding thread deserializes each between its socket events
      for (let i = 0; i < changes.upsert.length; i += PART) parentPort?.postMessage({ id: req.id, part: changes.upsert.slice(i, i + PART) } satisfies RulesPart);
      return { id: req.id, ok: true, errors: [], warnings: parsed.warnings, changes: { upsert: [], remove: changes.remove }, table: req.full ? parsed.table : null };
    }
    case "commit":
      if (pending) applied = pending;
      pending = null;
      return { id: req.id, ok: true, errors: [], warnings: [], changes: null, table: null };
    case "forget": {
      const gone = new Set(req.keys.map((k) => agentServiceKeyText(serviceKeyOf(k))));
      applied = { services: applied.services.filter((s) => !gone.has(agentServiceKeyText(serviceKeyOf(s)))) };
      return { id: req.id, ok: true, errors: [], warnings: [], changes: null, table: null };
    }
  }
}

parentPort?.on("message", (req: RulesRequest) => {
  handle(req).then(
    (reply) => parentPort?.postMessage(reply),
    (e: Error) => parentPort?.postMessage({ id: req.id, ok: false, error: e.message } satisfies RulesReply),
  );
});
