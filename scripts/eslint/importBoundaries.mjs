/**
 * ESLint rule `boundaries/import-directions`: which part of the repository may import which.
 * Each option entry: { from, disallow?, allowOnly?, allowTypesFrom?, message }
 *   from            path prefix of the importing file ("server/realtime/")
 *   disallow        path prefixes it must not import ("server/live/")
 *   allowOnly       path prefixes it may import; anything else inside the repository is an error
 *   allowTypesFrom  prefixes (of the disallowed ones) from which `import type` is still allowed
 * Specifiers are resolved to repository paths (relative ones and the "@/" alias); packages are left to
 * no-restricted-imports. See ARCHITECTURE.md for the drawing.
 */
import path from "node:path";

function repoPath(spec, filename, root) {
  let abs;
  if (spec.startsWith("@/")) abs = path.join(root, spec.slice(2));
  else if (spec.startsWith("./") || spec.startsWith("../")) abs = path.resolve(path.dirname(filename), spec);
  else return null;
  const rel = path.relative(root, abs).split(path.sep).join("/");
  return rel.startsWith("..") ? null : rel;
}

const startsWithAny = (p, prefixes = []) => prefixes.some((x) => p === x || p.startsWith(x));

function isTypeOnly(node) {
  if (node.type === "TSImportType") return true;
  if (node.importKind === "type" || node.exportKind === "type") return true;
  const specs = node.specifiers ?? [];
  return specs.length > 0 && specs.every((s) => s.importKind === "type" || s.exportKind === "type");
}

const rule = {
  meta: {
    type: "problem",
    docs: { description: "enforce the allowed import directions between the parts of the repository" },
    schema: [{ type: "array", items: { type: "object" } }],
    messages: { forbidden: "{{file}} must not import {{target}}: {{why}}" },
  },
  create(context) {
    const root = context.cwd;
    const file = path.relative(root, context.filename).split(path.sep).join("/");
    const entries = (context.options[0] ?? []).filter((e) => file.startsWith(e.from));
    if (entries.length === 0) return {};
    function check(node, source) {
      if (!source || typeof source.value !== "string") return;
      const target = repoPath(source.value, context.filename, root);
      if (!target) return;
      for (const e of entries) {
        const outside = e.allowOnly && !startsWithAny(target, e.allowOnly);
        const banned = startsWithAny(target, e.disallow);
        if (!outside && !banned) continue;
        if (isTypeOnly(node) && startsWithAny(target, e.allowTypesFrom)) continue;
        context.report({ node: source, messageId: "forbidden", data: { file: e.from, target, why: e.message } });
        return;
      }
    }
    return {
      ImportDeclaration: (n) => check(n, n.source),
      ExportNamedDeclaration: (n) => check(n, n.source),
      ExportAllDeclaration: (n) => check(n, n.source),
      ImportExpression: (n) => check(n, n.source),
      TSImportType: (n) => check(n, n.argument?.type === "TSLiteralType" ? n.argument.literal : n.argument),
    };
  },
};

export default { rules: { "import-directions": rule } };
