/**
 * A small reader of prisma/schema.prisma for tests: the scalar fields of each model with the table,
 * column, PostgreSQL type (udt_name) and nullability they must have after the SQL migrations.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

export interface ExpectedColumn {
  model: string;
  field: string;
  table: string;
  column: string;
  udt: string;
  nullable: boolean;
}

export const SCHEMA_PATH = path.resolve(import.meta.dirname, "../../prisma/schema.prisma");

const SCALARS: Record<string, string> = {
  String: "text", Int: "int4", BigInt: "int8", Float: "float8", Boolean: "bool", DateTime: "timestamp", Json: "jsonb", Decimal: "numeric", Bytes: "bytea",
};
const NATIVE: Record<string, string> = {
  Json: "json", Uuid: "uuid", Text: "text", VarChar: "varchar", Timestamptz: "timestamptz", Integer: "int4", SmallInt: "int2", Date: "date",
};

export function expectedColumns(schema = readFileSync(SCHEMA_PATH, "utf8")): ExpectedColumn[] {
  const text = schema.replace(/\/\/.*$/gm, "");
  const blocks = [...text.matchAll(/^(model|enum)\s+(\w+)\s*\{([\s\S]*?)^\}/gm)];
  const enums = new Map<string, string>();
  for (const [, kind, name, body] of blocks) {
    if (kind === "enum") enums.set(name!, /@@map\("([^"]+)"\)/.exec(body!)?.[1] ?? name!);
  }
  const models = new Set(blocks.filter((b) => b[1] === "model").map((b) => b[2]!));
  const out: ExpectedColumn[] = [];
  for (const [, kind, model, body] of blocks) {
    if (kind !== "model") continue;
    const table = /@@map\("([^"]+)"\)/.exec(body!)?.[1] ?? model!;
    for (const line of body!.split("\n").map((l) => l.trim())) {
      const m = /^(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line);
      if (!m || line.startsWith("@@")) continue;
      const [, field, type, list, optional, attrs] = m;
      if (models.has(type!)) continue; // relation field
      const native = /@db\.(\w+)/.exec(attrs!)?.[1];
      let udt = enums.get(type!) ?? (native ? NATIVE[native] : undefined) ?? SCALARS[type!];
      if (!udt) throw new Error(`schemaColumns: unknown type ${type} of ${model}.${field}`);
      if (list) udt = `_${udt}`;
      out.push({ model: model!, field: field!, table, column: /@map\("([^"]+)"\)/.exec(attrs!)?.[1] ?? field!, udt, nullable: Boolean(optional) || Boolean(list) });
    }
  }
  return out;
}
