/**
 * A check every tRPC call passes before its schema: no NUL byte in any string or key (PostgreSQL text
 * cannot store one: error 22021, which used to surface as a 500) and no nesting deeper than MAX_DEPTH
 * (no schema here nests that deep; a deeper value is refused before anything walks it recursively).
 * Iterative, so a hostile 100 000-level value cannot overflow the stack.
 */
export const MAX_INPUT_DEPTH = 64;

export interface InputProblem {
  /** dotted path of the offending value ("" = the input itself) */
  path: string;
  message: string;
}

export function inputProblem(raw: unknown): InputProblem | null {
  const stack: Array<[value: unknown, path: string, depth: number]> = [[raw, "", 0]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v === "string") {
      if (v.includes("\u0000")) return { path, message: "contains a NUL byte (\\u0000), which no field accepts" };
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    if (depth >= MAX_INPUT_DEPTH) return { path, message: `nested deeper than ${MAX_INPUT_DEPTH} levels` };
    const sub = (k: string) => (path ? `${path}.${k}` : k);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], sub(String(i)), depth + 1]);
    } else {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (k.includes("\u0000")) return { path: sub(k.split("\u0000").join("\\u0000")), message: "a key contains a NUL byte (\\u0000)" };
        stack.push([x, sub(k), depth + 1]);
      }
    }
  }
  return null;
}
