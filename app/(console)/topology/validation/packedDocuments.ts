/**
 * The packed form a loaded document arrived in (topology.open), kept beside it until its first
 * validation: the worker then gets that (4 MB at 10 000 services) instead of the whole document as
 * JSON text (12.7 MB, 150-400 ms of the main thread right after the canvas painted).
 */
import type { Topology } from "@/lvs/model.ts";
import type { PackedTopology } from "@/lvs/packedTopology.ts";

const packedOf = new WeakMap<Topology, PackedTopology>();

export function rememberPacked(document: Topology, packed: PackedTopology): void {
  packedOf.set(document, packed);
}

/** The packed form of `document` as JSON text, once (later validations send what was edited). */
export function takePackedJson(document: Topology): string | undefined {
  const p = packedOf.get(document);
  if (!p) return undefined;
  packedOf.delete(document);
  return JSON.stringify(p);
}
