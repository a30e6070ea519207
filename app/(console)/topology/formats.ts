/**
 * The editor's window onto lvs/ compile and formats: export texts for one director or the whole
 * topology, and parsing of imported files. All text comes from lvs/formats (byte for byte what
 * `lvsctl convert` prints for the same table); nothing is rendered here.
 */
import type { IpvsTable, Topology } from "@/lvs/model.ts";
import { parseRules, type RulesProblem } from "@/lvs/formats/ipvsadm/parse.ts";
import { renderCommands, renderRules } from "@/lvs/formats/ipvsadm/render.ts";
import { compileDirectorTemp, compileTopologyTemp } from "./compileShim.ts";

export type ImportFormat = "ipvsadm" | "keepalived";

export interface ParsedImport {
  table: IpvsTable;
  errors: RulesProblem[];
  warnings: RulesProblem[];
  /** what was found, as ipvsadm rules */
  summary: string;
}

export function parseImport(text: string, format: ImportFormat): ParsedImport {
  if (format === "keepalived") {
    return { table: { services: [] }, errors: [{ line: 1, message: "keepalived.conf import is not available yet" }], warnings: [], summary: "" };
  }
  const r = parseRules(text);
  return { ...r, summary: r.errors.length ? "" : renderRules(r.table) };
}

export interface ExportTexts {
  rules: string;
  commands: string;
  keepalived: string | null;
}

/** scope: a director id, or null for the whole topology. */
export function exportTexts(topology: Topology, scope: string | null): ExportTexts {
  const table = scope ? compileDirectorTemp(topology, scope) : compileTopologyTemp(topology);
  return { rules: renderRules(table), commands: renderCommands(table), keepalived: null };
}
