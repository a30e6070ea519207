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

export interface RulesProblem {
  /** 1-based line number */
  line: number;
  message: string;
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

export function parseRules(text: string): ParseRulesResult {
  const table = new TableBuilder();
  const errors: RulesProblem[] = [];
  const warnings: RulesProblem[] = [];
  /** services whose -A failed: later "Service not defined" errors for them would only repeat it */
  const failed = new Set<string>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const trimmed = (lines[i] as string).trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    let words = trimmed.split(/[ \t\r\f\v]+/);
    const hash = words.findIndex((w) => w.startsWith("#"));
    if (hash >= 0) {
      warnings.push({ line, message: "trailing comment ignored here, but ipvsadm -R fails on it (\"unexpected argument\"): put comments on their own line" });
      words = words.slice(0, hash);
    }
    words = words.filter((w) => w !== "ipvsadm");
    if (words.length === 0) continue;
    const foreign = foreignDialect(words);
    if (foreign) {
      errors.push({ line, message: foreign });
      continue;
    }
    const argv = parseArgv(words);
    if (!argv.ok) {
      const why =
        argv.reason === "unknown" ? `${argv.option}: not an ipvsadm option`
        : argv.reason === "missing-argument" ? `${argv.option} needs a value`
        : `${argv.option} takes no value`;
      errors.push({ line, message: why });
      continue;
    }
    const r = interpretLine(argv.options, argv.leftovers);
    for (const w of r.warnings) warnings.push({ line, message: w });
    if (r.kind === "ignored") continue;
    if (r.kind === "error") {
      errors.push({ line, message: r.message });
      const cmd = argv.options[0]?.def.long;
      if (r.service && cmd === "add-service") failed.add(serviceKeyString(r.service));
      continue;
    }
    try {
      table.apply(r.op, line);
      if (r.op.kind === "clear") failed.clear();
    } catch (e) {
      if (!(e instanceof LvsError)) throw e;
      if (r.op.kind !== "clear" && e.code === "no_such_service" && failed.has(serviceKeyString(r.op.service))) continue;
      errors.push({ line, message: `${e.message}: ${explain(e.code)}${familyHint(table, r.op)}` });
    }
  }
  return { ...table.toTableWithLines(), errors, warnings };
}

/** "-f 1" vs "-f 1 -6" are different services: say so when the other one exists. */
function familyHint(table: TableBuilder, o: Op): string {
  if (o.kind === "clear" || o.service.protocol !== "fwmark") return "";
  const { fwmark, family } = o.service;
  if (!table.has({ protocol: "fwmark", family: family === "inet" ? "inet6" : "inet", fwmark })) return "";
  return family === "inet" ? ` (an IPv6 service -f ${fwmark} -6 exists: add -6 after -f)` : ` (an IPv4 service -f ${fwmark} exists: drop the -6)`;
}

function explain(code: LvsError["code"]): string {
  switch (code) {
    case "no_such_service":
      return "the service must be defined (-A) on an earlier line";
    case "service_exists":
      return "the service is defined twice (use -E to change it)";
    case "destination_exists":
      return "the real server is added twice to this service (use -e to change it)";
    case "no_such_destination":
      return "the real server must be added (-a) on an earlier line";
    default:
      return "rejected";
  }
}
