/**
 * `parseRules`: read what `ipvsadm -R` (and the ipvsadm-restore script) accepts — ipvsadm-save
 * output, `ipvsadm ...` command lines, -A/-E/-D/-a/-e/-d/-C — into an IpvsTable, replaying the
 * commands on an empty table with the kernel's semantics (applyOps). Every problem is reported with
 * its line; parsing goes on after an error (ipvsadm itself would stop at the first option error).
 * Accepted beyond ipvsadm -R: full-line `#` comments (ipvsadm-restore strips them); trailing comments
 * are accepted with a warning because `ipvsadm -R` itself fails on them.
 */
import { LvsError } from "../../errors.ts";
import type { IpvsTable } from "../../model.ts";
import type { Op } from "../../ops.ts";
import { TableBuilder, type TableLines } from "../../tableBuilder.ts";
import { serviceKeyString } from "../../tableKey.ts";
import { parseArgv } from "./argv.ts";
import { foreignDialect } from "./dialects.ts";
import { interpretLine } from "./parseLine.ts";
import { fastLine, fastLineDone } from "./fastLine.ts";
import { coded, type Coded } from "../diagnostics.ts";

export interface RulesProblem extends Coded {
  /** 1-based line number */
  line: number;
}

export interface ParseRulesResult {
  table: IpvsTable;
  errors: RulesProblem[];
  warnings: RulesProblem[];
  /**
   * The line that last added or edited each service (`lines.services[i]`) and real server
   * (`lines.destinations[i][j]`) of `table`, so later checks on the table can point at it.
   */
  lines: TableLines;
}

/** The rules line of an issue path into the parsed table (["services", i, "destinations", j, ...]), if known. */
export function lineOfPath(result: Pick<ParseRulesResult, "table" | "lines">, path: readonly (string | number)[]): number | null {
  if (path[0] !== "services" || typeof path[1] !== "number") return null;
  if (!result.table.services[path[1]]) return null;
  if (path[2] === "destinations" && typeof path[3] === "number") {
    const line = result.lines.destinations[path[1]]?.[path[3]];
    if (line !== undefined) return line;
  }
  return result.lines.services[path[1]] ?? null;
}

/** "line 3: -y 10 without -x: ..." */
export function formatProblem(p: RulesProblem): string {
  return `line ${p.line}: ${p.message}`;
}

export interface ParseRulesOptions {
  /**
   * Read the lines ipvsadm-save writes with fastLine (default true). The result is the same either
   * way; false is for the tests that prove it.
   */
  fastPath?: boolean;
}

export function parseRules(text: string, opts: ParseRulesOptions = {}): ParseRulesResult {
  const fastPath = opts.fastPath ?? true;
  const table = new TableBuilder();
  const errors: RulesProblem[] = [];
  const warnings: RulesProblem[] = [];
  /** services whose -A failed: later "Service not defined" errors for them would only repeat it */
  const failed = new Set<string>();
  // line by line without an array of all of them (a million strings alive at once, for the GC to copy)
  for (let start = 0, line = 1; start <= text.length; line++) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const trimmed = text.slice(start, end).trim();
    start = end + 1;
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const fast = fastPath ? fastLine(trimmed) : null;
    if (fast) {
      // the op the general path would give; applying it may still fail (e.g. a service twice)
      replay(table, fast, line, errors, failed);
      continue;
    }
    // the shell options line of a commands script (renderCommands writes `set -e`): not an ipvsadm command
    if (/^set\s+-[a-z]+$/.test(trimmed)) continue;
    let words = trimmed.split(/[ \t\r\f\v]+/);
    const hash = words.findIndex((w) => w.startsWith("#"));
    if (hash >= 0) {
      warnings.push({ line, ...coded("ipvsadm.trailing-comment") });
      words = words.slice(0, hash);
    }
    words = words.filter((w) => w !== "ipvsadm");
    if (words.length === 0) continue;
    const foreign = foreignDialect(words);
    if (foreign) {
      errors.push({ line, ...foreign });
      continue;
    }
    const argv = parseArgv(words);
    if (!argv.ok) {
      const code = argv.reason === "unknown" ? "ipvsadm.unknown-option" : argv.reason === "missing-argument" ? "ipvsadm.missing-argument" : "ipvsadm.unexpected-value";
      errors.push({ line, ...coded(code, { option: argv.option }) });
      continue;
    }
    const r = interpretLine(argv.options, argv.leftovers);
    for (const w of r.warnings) warnings.push({ line, ...w });
    if (r.kind === "ignored") continue;
    if (r.kind === "error") {
      errors.push({ line, ...r.error });
      const cmd = argv.options[0]?.def.long;
      if (r.service && cmd === "add-service") failed.add(serviceKeyString(r.service));
      continue;
    }
    replay(table, r.op, line, errors, failed);
  }
  if (fastPath) fastLineDone();
  return { ...table.toTableWithLines(), errors, warnings };
}

/** Applies the op of one line; the kernel's refusal becomes the line's error. */
function replay(table: TableBuilder, o: Op, line: number, errors: RulesProblem[], failed: Set<string>): void {
  try {
    table.apply(o, line);
    if (o.kind === "clear") failed.clear();
  } catch (e) {
    if (!(e instanceof LvsError)) throw e;
    if ("service" in o && e.code === "no_such_service" && failed.has(serviceKeyString(o.service))) return;
    errors.push({ line, ...coded("ipvsadm.replay", { detail: e.message, why: e.code, ...familyHint(table, o) }) });
  }
}

/** "-f 1" vs "-f 1 -6" are different services: say so when the other one exists. */
function familyHint(table: TableBuilder, o: Op): { hint: string; fwmark: number } {
  if (!("service" in o) || o.service.protocol !== "fwmark") return { hint: "none", fwmark: 0 };
  const { fwmark, family } = o.service;
  if (!table.has({ protocol: "fwmark", family: family === "inet" ? "inet6" : "inet", fwmark })) return { hint: "none", fwmark };
  return { hint: family === "inet" ? "ipv6_exists" : "ipv4_exists", fwmark };
}
