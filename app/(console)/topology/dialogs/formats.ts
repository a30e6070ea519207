/**
 * The editor's window onto lvs/compile and lvs/formats: export texts for one director or the whole
 * topology, and parsing of imported files. All text comes from lvs/formats (the rules and command
 * script are byte for byte what `lvsctl convert` prints for the same compiled table); nothing is
 * rendered here.
 */
import { compileDirector } from "@/lvs/compile.ts";
import { LvsError } from "@/lvs/errors.ts";
import type { IpvsTable, Topology } from "@/lvs/model.ts";
import { parseRules } from "@/lvs/formats/ipvsadm/parse.ts";
import type { Coded } from "@/lvs/formats/diagnostics.ts";
import { renderCommands, renderRules } from "@/lvs/formats/ipvsadm/render.ts";
import { parseKeepalived, renderKeepalived, type KeepalivedServiceMeta, type KeepalivedVrrpInstance } from "@/lvs/formats/keepalived/index.ts";

export type ImportFormat = "ipvsadm" | "keepalived";

/** a parser diagnostic: code + params for the UI language, English message for logs */
export interface ImportProblem extends Coded {
  line: number;
}

export interface ParsedImport {
  format: ImportFormat;
  table: IpvsTable;
  /** keepalived only: checks and sorry servers, index-aligned with table.services */
  meta: KeepalivedServiceMeta[] | null;
  /** keepalived only: vrrp_instance blocks (they become HA groups of the director the import places on) */
  vrrp: KeepalivedVrrpInstance[];
  errors: ImportProblem[];
  warnings: ImportProblem[];
  /** what was found, as ipvsadm rules */
  summary: string;
}

/** keepalived.conf when it has a virtual_server / vrrp_instance block, else ipvsadm rules (as lvsctl guesses). */
export function detectFormat(text: string): ImportFormat {
  return /^\s*virtual_server(_group)?\s/m.test(text) || /^\s*vrrp_instance\s/m.test(text) ? "keepalived" : "ipvsadm";
}

export function parseImport(text: string, format: ImportFormat): ParsedImport {
  if (format === "keepalived") {
    const r = parseKeepalived(text);
    return {
      format, table: r.table, meta: r.services, vrrp: r.vrrpInstances, errors: r.errors, warnings: r.warnings,
      summary: r.errors.length ? "" : renderRules(r.table),
    };
  }
  const r = parseRules(text);
  return { format, table: r.table, meta: null, vrrp: [], errors: r.errors, warnings: r.warnings, summary: r.errors.length ? "" : renderRules(r.table) };
}

export interface ExportTexts {
  rules: string;
  commands: string;
  keepalived: string;
}

const WHOLE = "\u0000whole-topology";

/**
 * The IPVS table of every service in the topology (placed or not), as if one director ran them all.
 * Two services with the same key on different directors cannot share one table: that is an error
 * telling the operator to export per director.
 */
export function compileWhole(topology: Topology): IpvsTable {
  const one: Topology = {
    ...topology,
    directors: [...topology.directors, { id: WHOLE, name: "whole topology", managementAddress: null, interfaces: [], engine: "auto" }],
    services: topology.services.map((s) => ({ ...s, directorIds: [WHOLE] })),
  };
  try {
    return compileDirector(one, WHOLE);
  } catch (e) {
    if (e instanceof LvsError && e.code === "duplicate_key") {
      throw new LvsError("duplicate_key", `${e.message.replace(/ on director \S+$/, "")}: the whole topology is not one table; export per director`);
    }
    throw e;
  }
}

/** scope: a director id, or null for the whole topology. Throws LvsError when the document cannot compile. */
export function exportTexts(topology: Topology, scope: string | null): ExportTexts {
  const table = scope ? compileDirector(topology, scope) : compileWhole(topology);
  return {
    rules: renderRules(table),
    commands: renderCommands(table),
    keepalived: renderKeepalived(topology, scope ? { directorId: scope } : {}),
  };
}
