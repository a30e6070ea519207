/**
 * Which ops of a batch did not take effect: an op failed when the plan from the read-back table to
 * the desired one still contains an op of the same kind on the same object. stderr lines of
 * `ipvsadm -R` are matched to the failed ops in order. Pure.
 */
import type { AppliedOp } from "../../engine.ts";
import type { Op } from "../../../lvs/ops.ts";
import { renderOps } from "../../../lvs/formats/ipvsadm/render.ts";
import { destinationKeyString, serviceKeyOf, serviceKeyString } from "../../../lvs/tableKey.ts";

export function opIdentity(op: Op): string {
  if (op.kind === "clear") return "clear";
  if (op.kind === "set-timeouts") return "set-timeouts|timeouts";
  const svc = serviceKeyString(serviceKeyOf(op.service));
  if (op.kind === "add-service" || op.kind === "edit-service" || op.kind === "delete-service") return `${op.kind}|${svc}`;
  return `${op.kind}|${svc}|${destinationKeyString(op.destination)}`;
}

/** The object an op touches, whatever the kind (an add that became an edit still matches). */
function objectOf(op: Op): string {
  const id = opIdentity(op);
  return id.slice(id.indexOf("|") + 1);
}

/** `batch` and `residual` are plan()'s ops (canonical values: their texts are written as they are). */
export function verifyOps(batch: readonly Op[], residual: readonly Op[], stderr: string): AppliedOp[] {
  const lines = renderOps(batch, { canonical: true });
  // the read-back equals the desired table: every op took effect (no identity strings to compare)
  if (residual.length === 0) return lines.map((op) => ({ op, ok: true }));
  const left = new Set(residual.map(objectOf));
  const errors = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  const failedCount = batch.filter((op) => left.has(objectOf(op))).length;
  let i = 0;
  return batch.map((op, n) => {
    const line = lines[n]!;
    if (!left.has(objectOf(op))) return { op: line, ok: true };
    const error = failedCount === errors.length ? errors[i++]! : errors.join("; ") || "not applied (read-back differs)";
    return { op: line, ok: false, error };
  });
}
