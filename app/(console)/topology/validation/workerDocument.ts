/** What the validation worker receives (documentValidator.ts posts it) and the document it stands for. */
import type { Topology } from "@/lvs/model.ts";
import { unpackTopology } from "@/lvs/packedTopology.ts";

/** the document as JSON text, or as loaded (packed, JSON text) with the canvas layout */
export type ValidationRequest = { seq: number; json: string } | { seq: number; packed: string; layout: string };

export function documentOf(r: ValidationRequest): Topology {
  if ("json" in r) return JSON.parse(r.json) as Topology;
  const t = unpackTopology(JSON.parse(r.packed));
  t.layout = JSON.parse(r.layout) as Topology["layout"];
  return t;
}
