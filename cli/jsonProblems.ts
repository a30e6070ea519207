/**
 * Pointing lvsctl's JSON problems at their place: `services[0].destinations[1].weight` paths, the
 * line where that value starts in the file, and zod union failures narrowed to the branch the value
 * was meant for (a `"protocol": "tcp"` service is reported against the address:port shape, not as
 * "Invalid input").
 */

export type JsonPath = readonly (string | number)[];

/** services[0].destinations[1].weight */
export function jsonPathText(path: JsonPath): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
}

/** The line each value of a (valid) JSON document starts on, by jsonPathText. */
export function jsonPathLines(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const n = text.length;
  let i = 0;
  let line = 1;
  const skipWs = (): void => {
    while (i < n) {
      const c = text[i];
      if (c === "\n") line++;
      else if (c !== " " && c !== "\t" && c !== "\r") break;
      i++;
    }
  };
  const readString = (): string => {
    let s = "";
    i++; // opening quote
    while (i < n && text[i] !== '"') {
      if (text[i] === "\\") {
        s += text[i + 1] ?? "";
        i += 2;
        continue;
      }
      s += text[i++];
    }
    i++; // closing quote
    return s;
  };
  const value = (path: (string | number)[], depth: number): void => {
    skipWs();
    out.set(jsonPathText(path), line);
    const c = text[i];
    if (depth > 64) throw new Error("too deeply nested");
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      skipWs();
      if (text[i] === close) {
        i++;
        return;
      }
      for (let j = 0; i < n; j++) {
        skipWs();
        if (c === "{") {
          const key = readString();
          skipWs();
          i++; // ':'
          value([...path, key], depth + 1);
        } else value([...path, j], depth + 1);
        skipWs();
        if (text[i++] !== ",") return;
      }
    } else if (c === '"') readString();
    else while (i < n && !/[,\]}\s]/.test(text[i]!)) i++;
  };
  try {
    value([], 0);
  } catch {
    // only used after JSON.parse accepted the text; a failure here just leaves lines unknown
  }
  return out;
}

interface SchemaIssue {
  code: string;
  path: PropertyKey[];
  message: string;
  errors?: SchemaIssue[][];
  input?: unknown;
}

function at(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const p of path) v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

const asPath = (p: readonly PropertyKey[]): (string | number)[] => p.map((x) => (typeof x === "number" ? x : String(x)));

/** zod issues as path + message, union failures replaced by the issues of the branch the value was meant for. */
export function schemaProblems(issues: readonly SchemaIssue[], data: unknown, prefix: readonly PropertyKey[] = []): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === "invalid_union" && issue.errors && issue.errors.length > 0) {
      // a branch that accepted the discriminating field (protocol) is the one the author meant
      const candidates = issue.errors.filter((b) => !b.some((x) => x.path.length === 1 && x.path[0] === "protocol"));
      const pool = candidates.length > 0 ? candidates : issue.errors;
      const branch = pool.reduce((best, b) => (b.length < best.length ? b : best));
      if (branch.length > 0) {
        out.push(...schemaProblems(branch, data, path));
        continue;
      }
    }
    const parent = at(data, path.slice(0, -1));
    const missing = path.length > 0 && parent !== null && typeof parent === "object" && at(data, path) === undefined;
    out.push({ path: asPath(path), message: missing ? "missing: the field is required" : issue.message });
  }
  return out;
}
