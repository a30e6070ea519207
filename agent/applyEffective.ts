import type { IpvsTable } from "../lvs/model.ts";
import type { AgentOptions } from "./agentOptions.ts";

/**
 * Applies the health-adjusted table to the engine, logs failed ops, writes the boot rules after a
 * full apply, and reads back the actual table for the ack. Never throws: a failed apply is a result.
 */
export async function applyEffective(opts: Pick<AgentOptions, "engine" | "store" | "log">, effective: IpvsTable, why: string) {
  try {
    const r = await opts.engine.apply(effective);
    const failed = r.ops.filter((o) => !o.ok);
    if (failed.length) opts.log.warn(`${why}: ${failed.length} op(s) failed: ${failed.map((o) => `${o.op}: ${o.error ?? "?"}`).join("; ").slice(0, 2000)}`);
    if (r.ok) await opts.store.saveBootRules(effective).catch((e: Error) => opts.log.error(`cannot write boot rules: ${e.message}`));
    const table = r.actual ?? (await opts.engine.read().catch(() => effective));
    return { ok: r.ok, ops: r.ops, notes: r.notes, table };
  } catch (e) {
    opts.log.error(`${why}: apply failed: ${(e as Error).message}`);
    return { ok: false, ops: [{ op: "apply", ok: false, error: (e as Error).message }], notes: [], table: await opts.engine.read().catch(() => ({ services: [] })) };
  }
}
