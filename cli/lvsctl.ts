/**
 * lvsctl: convert, validate and diff IPVS tables on the command line.
 *
 *   lvsctl convert [--from ipvsadm|keepalived|json] --to ipvsadm|commands|keepalived|json [-o OUT] [FILE|-]
 *   lvsctl validate [--from FORMAT] FILE|-
 *   lvsctl plan [--from FORMAT] [--format batch|text|json] ACTUAL DESIRED
 *
 * Exit codes: 0 ok, 1 the input has errors (parse or validation), 2 unreadable input or bad usage.
 * Problems go to stderr as `FILE:LINE: message` (`FILE: path: message` for JSON structure issues).
 * The input format is taken from --from, else from the extension (.json; .conf/.cfg holding a
 * virtual_server block = keepalived), else sniffed from the text; ipvsadm rules otherwise.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { canonicalTable } from "../lvs/canonical.ts";
import type { IpvsTable } from "../lvs/model.ts";
import { ipvsTableSchema } from "../lvs/schemas.ts";
import { lineOfPath, parseRules } from "../lvs/formats/ipvsadm/parse.ts";
import { renderBatch, renderCommands, renderRules } from "../lvs/formats/ipvsadm/render.ts";
import { parseKeepalived, renderKeepalived, type KeepalivedServiceMeta, type KeepalivedVrrpInstance } from "../lvs/formats/keepalived/index.ts";
import { describeOp, plan } from "../lvs/reconcile.ts";
import { validateTable } from "../lvs/validate.ts";
import { jsonPathLines, jsonPathText, schemaProblems } from "./jsonProblems.ts";

export const INPUT_FORMATS = ["ipvsadm", "keepalived", "json"] as const;
export const OUTPUT_FORMATS = ["ipvsadm", "commands", "keepalived", "json"] as const;
type InputFormat = (typeof INPUT_FORMATS)[number];
type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface CliIo {
  readFile(path: string): string;
  writeFile(path: string, text: string): void;
  stdout(text: string): void;
  stderr(text: string): void;
}

const nodeIo: CliIo = {
  readFile: (p) => readFileSync(p === "-" ? 0 : p, "utf8"),
  writeFile: (p, t) => writeFileSync(p, t),
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

const USAGE = `usage:
  lvsctl convert [--from ipvsadm|keepalived|json] --to ipvsadm|commands|keepalived|json [-o OUT] [FILE|-]
  lvsctl validate [--from ipvsadm|keepalived|json] FILE|-
  lvsctl plan [--from ipvsadm|keepalived|json] [--format batch|text|json] ACTUAL DESIRED
exit codes: 0 ok, 1 errors in the input, 2 unreadable input or bad usage
`;

class UsageError extends Error {}
class ReadError extends Error {}

interface Loaded {
  table: IpvsTable;
  /** the source line of an issue path into `table`, when the format keeps lines */
  lineOf: (path: readonly (string | number)[]) => number | null;
  /** keepalived extras, kept for keepalived → keepalived */
  meta: { services: KeepalivedServiceMeta[]; vrrpInstances: KeepalivedVrrpInstance[] } | null;
  errors: string[];
  warnings: string[];
}

function parseFlags(args: string[], valued: string[]): { flags: Map<string, string>; rest: string[] } {
  const flags = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    const name = eq >= 0 ? a.slice(0, eq) : a;
    if (valued.includes(name)) {
      const v = eq >= 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      flags.set(name, v);
    } else if (a.startsWith("-") && a !== "-") {
      throw new UsageError(`unknown option ${a}`);
    } else rest.push(a);
  }
  return { flags, rest };
}

function detectFormat(file: string, text: string): InputFormat {
  if (/\.json$/i.test(file)) return "json";
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{")) return "json";
  if (/^\s*virtual_server(_group)?\s/m.test(text) || /^\s*vrrp_instance\s/m.test(text)) return "keepalived";
  return "ipvsadm";
}

/** The line of a JSON.parse error: from "at position N", or from V8's ±10-character context snippet. */
function jsonLine(text: string, message: string): number {
  let pos = 0;
  const at = /position (\d+)/.exec(message);
  const snippet = /^Unexpected token '([\s\S])', (\.\.\.)?"([\s\S]*?)"(\.\.\.)? is not valid JSON/.exec(message);
  if (at) pos = Number(at[1]);
  else if (/end of JSON input/.test(message)) pos = text.length;
  else if (snippet) {
    const [, token, lead, context] = snippet as unknown as [string, string, string | undefined, string];
    const start = text.indexOf(context);
    if (start >= 0) pos = start + (lead ? 10 : Math.max(0, context.indexOf(token)));
  }
  return text.slice(0, pos).split("\n").length;
}

function load(io: CliIo, file: string, from: InputFormat | undefined): Loaded {
  let text: string;
  try {
    text = io.readFile(file);
  } catch (e) {
    throw new ReadError(`lvsctl: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const name = file === "-" ? "<stdin>" : file;
  const format = from ?? detectFormat(file, text);
  if (format === "ipvsadm") {
    const r = parseRules(text);
    return {
      table: r.table,
      lineOf: (p) => lineOfPath(r, p),
      meta: null,
      errors: r.errors.map((p) => `${name}:${p.line}: ${p.message}`),
      warnings: r.warnings.map((p) => `${name}:${p.line}: warning: ${p.message}`),
    };
  }
  if (format === "keepalived") {
    const r = parseKeepalived(text);
    return {
      table: r.table,
      lineOf: (p) => {
        const meta = p[0] === "services" && typeof p[1] === "number" ? r.services[p[1]] : undefined;
        if (!meta) return null;
        const d = p[2] === "destinations" && typeof p[3] === "number" ? meta.destinationLines?.[p[3]] : undefined;
        return d ?? meta.line ?? null;
      },
      meta: { services: r.services, vrrpInstances: r.vrrpInstances },
      errors: r.errors.map((p) => `${name}:${p.line}: ${p.message}`),
      warnings: r.warnings.map((p) => `${name}:${p.line}: warning: ${p.message}`),
    };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { table: { services: [] }, lineOf: () => null, meta: null, errors: [`${name}:${jsonLine(text, msg)}: not JSON: ${msg}`], warnings: [] };
  }
  const parsed = ipvsTableSchema.safeParse(data);
  let lines: Map<string, number> | null = null;
  const lineOf = (p: readonly (string | number)[]): number | null => {
    for (let n = p.length; n >= 0; n--) {
      lines ??= jsonPathLines(text);
      const l = lines.get(jsonPathText(p.slice(0, n)));
      if (l !== undefined) return l;
    }
    return null;
  };
  if (!parsed.success) {
    const errors = schemaProblems(parsed.error.issues as unknown as Parameters<typeof schemaProblems>[0], data).map(({ path, message }) => {
      const line = lineOf(path);
      return `${name}${line === null ? "" : `:${line}`}: ${jsonPathText(path) || "(document)"}: ${message}`;
    });
    return { table: { services: [] }, lineOf, meta: null, errors, warnings: [] };
  }
  return { table: parsed.data, lineOf, meta: null, errors: [], warnings: [] };
}

function inputFormat(v: string | undefined): InputFormat | undefined {
  if (v === undefined) return undefined;
  if (!(INPUT_FORMATS as readonly string[]).includes(v)) throw new UsageError(`--from must be one of ${INPUT_FORMATS.join(", ")}`);
  return v as InputFormat;
}

function render(loaded: Loaded, to: OutputFormat): string {
  switch (to) {
    case "ipvsadm":
      return renderRules(loaded.table);
    case "commands":
      return renderCommands(loaded.table);
    case "json":
      return `${JSON.stringify(canonicalTable(loaded.table), null, 2)}\n`;
    case "keepalived": {
      const out = loaded.meta ? { table: loaded.table, ...loaded.meta } : { table: canonicalTable(loaded.table) };
      const text = renderKeepalived(out);
      return text.endsWith("\n") ? text : `${text}\n`;
    }
  }
}

function report(io: CliIo, loaded: Loaded): boolean {
  for (const w of loaded.warnings) io.stderr(`${w}\n`);
  for (const e of loaded.errors) io.stderr(`${e}\n`);
  return loaded.errors.length === 0;
}

/** Prints lvs/validate's issues of the table as FILE:LINE: path: message [code]; false when any is an error. */
function reportTableIssues(io: CliIo, file: string, loaded: Loaded): boolean {
  const name = file === "-" ? "<stdin>" : file;
  let ok = true;
  for (const issue of validateTable(loaded.table)) {
    const line = loaded.lineOf(issue.path);
    io.stderr(`${name}${line === null ? "" : `:${line}`}: ${issue.severity === "warning" ? "warning: " : ""}${jsonPathText(issue.path)}: ${issue.message} [${issue.code}]\n`);
    if (issue.severity === "error") ok = false;
  }
  return ok;
}

function run(args: string[], io: CliIo): number {
  const [cmd, ...rest] = args;
  if (cmd === undefined || cmd === "help" || cmd === "--help" || cmd === "-h") {
    io.stdout(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === "convert") {
    const { flags, rest: files } = parseFlags(rest, ["--from", "--to", "-o", "--output"]);
    const to = flags.get("--to");
    if (!to || !(OUTPUT_FORMATS as readonly string[]).includes(to)) throw new UsageError(`convert needs --to ${OUTPUT_FORMATS.join("|")}`);
    if (files.length > 1) throw new UsageError("convert reads one file (or - for stdin)");
    const loaded = load(io, files[0] ?? "-", inputFormat(flags.get("--from")));
    if (!report(io, loaded)) return 1;
    // convert refuses what validate refuses: never print a table the kernel (or ipvsadm) would reject
    if (!reportTableIssues(io, files[0] ?? "-", loaded)) return 1;
    const text = render(loaded, to as OutputFormat);
    const out = flags.get("-o") ?? flags.get("--output");
    if (out) io.writeFile(out, text);
    else io.stdout(text);
    return 0;
  }
  if (cmd === "validate") {
    const { flags, rest: files } = parseFlags(rest, ["--from"]);
    if (files.length !== 1) throw new UsageError("validate needs one FILE (or - for stdin)");
    const file = files[0] as string;
    const loaded = load(io, file, inputFormat(flags.get("--from")));
    let ok = report(io, loaded);
    // the well-formed rest is checked too, so one run reports every problem
    if (!reportTableIssues(io, file, loaded)) ok = false;
    if (ok) io.stdout(`${file === "-" ? "<stdin>" : file}: ok (${loaded.table.services.length} virtual services)\n`);
    return ok ? 0 : 1;
  }
  if (cmd === "plan") {
    const { flags, rest: files } = parseFlags(rest, ["--from", "--format"]);
    if (files.length !== 2) throw new UsageError("plan needs ACTUAL and DESIRED");
    const format = flags.get("--format") ?? "batch";
    if (!["batch", "text", "json"].includes(format)) throw new UsageError("--format must be batch, text or json");
    const from = inputFormat(flags.get("--from"));
    const actual = load(io, files[0] as string, from);
    const desired = load(io, files[1] as string, from);
    const ok = report(io, actual) && report(io, desired);
    if (!ok) return 1;
    const ops = plan(actual.table, desired.table);
    if (format === "batch") io.stdout(renderBatch(ops));
    else if (format === "json") io.stdout(`${JSON.stringify(ops, null, 2)}\n`);
    else io.stdout(ops.length === 0 ? "no changes\n" : ops.map((o) => `${describeOp(o)}\n`).join(""));
    return 0;
  }
  throw new UsageError(`unknown command ${cmd}`);
}

/** Runs lvsctl; returns the exit code. */
export function main(args: string[], io: CliIo = nodeIo): number {
  try {
    return run(args, io);
  } catch (e) {
    if (e instanceof ReadError) {
      io.stderr(`${e.message}\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      io.stderr(`lvsctl: ${e.message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}
