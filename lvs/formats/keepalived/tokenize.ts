/**
 * keepalived.conf syntax: one statement per line (keyword + arguments), `{ ... }` opens a block
 * attached to the statement before it, `#` and `!` start comments (outside quotes), double quotes
 * group words. Braces glued to words (`url{`) are split off. Lenient: problems are reported with
 * line numbers, never thrown.
 */
import { coded, type Coded, type DiagnosticCode, type DiagnosticParams } from "../diagnostics.ts";

export interface Statement {
  keyword: string;
  args: string[];
  line: number;
  /** null when the statement has no `{ }` block */
  block: Statement[] | null;
}

export interface Diagnostic extends Coded {
  line: number;
}

/** A diagnostic at a line, by code (the English text comes from diagnostics.ts). */
export function at(line: number, code: DiagnosticCode, params: DiagnosticParams = {}): Diagnostic {
  return { line, ...coded(code, params) };
}

/** Words of a line; braces come back as the symbols OPEN/CLOSE so a quoted "{" stays a word. */
const OPEN = Symbol("{");
const CLOSE = Symbol("}");

function wordsOf(line: string): (string | symbol)[] {
  const out: (string | symbol)[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    if (c === "#" || c === "!") break;
    if (c === "{" || c === "}") {
      out.push(c === "{" ? OPEN : CLOSE);
      i++;
      continue;
    }
    if (c === '"') {
      const end = line.indexOf('"', i + 1);
      const stop = end < 0 ? line.length : end;
      out.push(line.slice(i + 1, stop));
      i = stop + 1;
      continue;
    }
    let j = i;
    while (j < line.length && !" \t{}\"".includes(line[j]!)) j++;
    out.push(line.slice(i, j));
    i = j;
  }
  return out;
}

export function parseStatements(text: string): { statements: Statement[]; errors: Diagnostic[] } {
  const root: Statement[] = [];
  const stack: { list: Statement[]; opener: Statement | null }[] = [{ list: root, opener: null }];
  const errors: Diagnostic[] = [];
  const src = text.replace(/\r/g, "").split("\n");
  for (let n = 0; n < src.length && n < 1_000_000; n++) {
    const line = n + 1;
    let cur: Statement | null = null;
    for (const w of wordsOf(src[n]!)) {
      const top = stack[stack.length - 1]!;
      if (w === OPEN) {
        if (!cur) {
          // "{" on its own line attaches to the previous statement (keepalived allows this)
          const prev = top.list[top.list.length - 1];
          if (!prev || prev.block !== null) {
            errors.push(at(line, "keepalived.open-without-keyword"));
            cur = { keyword: "", args: [], line, block: null };
            top.list.push(cur);
          } else cur = prev;
        }
        cur.block = [];
        stack.push({ list: cur.block, opener: cur });
        cur = null;
      } else if (w === CLOSE) {
        if (stack.length === 1) errors.push(at(line, "keepalived.unmatched-close"));
        else stack.pop();
        cur = null;
      } else if (!cur) {
        cur = { keyword: w as string, args: [], line, block: null };
        top.list.push(cur);
      } else cur.args.push(w as string);
    }
  }
  for (const open of stack.slice(1).reverse())
    errors.push(at(open.opener!.line, "keepalived.unclosed-block", { keyword: open.opener!.keyword }));
  return { statements: root, errors };
}
