import { mkdtemp, mkdir, writeFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadMigrations, migrationChecksum, MigrationError } from "./migrate.ts";
import { openDatabase, resolveDatabaseTarget, type Database } from "./openDatabase.ts";
import { expectedColumns } from "./schemaColumns.ts";
import { createTestPostgres, NO_POSTGRES_REASON, TEST_DATABASE_URL, type TestPostgres } from "./testDatabase.ts";

async function rawQuery<R>(db: Database, sql: string, params: unknown[] = []): Promise<R[]> {
  if (db.raw.kind === "postgres") return (await db.raw.pool.query(sql, params)).rows as R[];
  return (await db.raw.pglite.query(sql, params)).rows as R[];
}

async function tempMigrations(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "lvs-migr-"));
  for (const [name, sql] of Object.entries(files)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

describe("migration files", () => {
  it("checksum is sha256 of the script with CRLF turned into LF", () => {
    expect(migrationChecksum("a;\r\nb;\n")).toBe(migrationChecksum("a;\nb;\n"));
    expect(migrationChecksum("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("loads prisma/migrations in name order", async () => {
    const ms = await loadMigrations();
    expect(ms.length).toBeGreaterThan(0);
    expect(ms.map((m) => m.name)).toEqual([...ms.map((m) => m.name)].sort());
    expect(ms[0]!.name).toMatch(/^\d{14}_\w+$/);
  });

  it("database selection follows DATABASE_URL", () => {
    expect(resolveDatabaseTarget({})).toEqual({ kind: "pglite", dir: path.resolve(".data", "pglite") });
    expect(resolveDatabaseTarget({ LVS_DATA_DIR: "/x" })).toEqual({ kind: "pglite", dir: "/x/pglite" });
    expect(resolveDatabaseTarget({ DATABASE_URL: "pglite:memory" })).toEqual({ kind: "pglite", dir: null });
    expect(resolveDatabaseTarget({ DATABASE_URL: "pglite:/tmp/db" })).toEqual({ kind: "pglite", dir: "/tmp/db" });
    expect(resolveDatabaseTarget({ DATABASE_URL: "postgres://u@h/d" })).toEqual({ kind: "postgres", url: "postgres://u@h/d" });
    expect(() => resolveDatabaseTarget({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
  });
});

const kinds = [
  { kind: "pglite" as const, skip: false },
  { kind: "postgres" as const, skip: !TEST_DATABASE_URL },
];

describe.each(kinds)(`migration runner on $kind${TEST_DATABASE_URL ? "" : ` (postgres skipped: ${NO_POSTGRES_REASON})`}`, ({ kind, skip }) => {
  let db: Database;
  let pgdb: TestPostgres | null = null;

  beforeAll(async () => {
    if (skip) return;
    if (kind === "postgres") pgdb = await createTestPostgres();
    db = await openDatabase({ DATABASE_URL: pgdb ? pgdb.url : "pglite:memory" });
  });
  afterAll(async () => {
    await db?.close();
    await pgdb?.drop();
  });

  it.skipIf(skip)("applies every migration once and records it like prisma migrate deploy", async () => {
    const first = await db.migrate();
    const files = await loadMigrations();
    expect(first.applied).toEqual(files.map((m) => m.name));
    const again = await db.migrate();
    expect(again).toEqual({ applied: [], alreadyApplied: files.map((m) => m.name) });
    const rows = await rawQuery<{ migration_name: string; checksum: string; finished_at: unknown; applied_steps_count: number }>(
      db, `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`);
    expect(rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count])).toEqual(files.map((m) => [m.name, m.checksum, 1]));
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
  });

  it.skipIf(skip)("every Prisma scalar field exists as a column with its type and nullability", async () => {
    const cols = await rawQuery<{ table_name: string; column_name: string; udt_name: string; is_nullable: string }>(
      db, `SELECT table_name, column_name, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`);
    const actual = new Map(cols.map((c) => [`${c.table_name}.${c.column_name}`, c]));
    const expected = expectedColumns();
    expect(expected.length).toBeGreaterThan(100);
    const problems: string[] = [];
    for (const e of expected) {
      const c = actual.get(`${e.table}.${e.column}`);
      if (!c) problems.push(`${e.model}.${e.field}: no column "${e.table}"."${e.column}"`);
      else {
        if (c.udt_name !== e.udt) problems.push(`${e.model}.${e.field}: column type ${c.udt_name}, schema says ${e.udt}`);
        if ((c.is_nullable === "YES") !== e.nullable) problems.push(`${e.model}.${e.field}: nullable=${c.is_nullable}, schema optional=${e.nullable}`);
      }
    }
    // and no table column the schema does not know (except Prisma's own table)
    const known = new Set(expected.map((e) => `${e.table}.${e.column}`));
    for (const key of actual.keys()) if (!key.startsWith("_prisma_migrations.") && !known.has(key)) problems.push(`column ${key} is not in schema.prisma`);
    expect(problems).toEqual([]);
  });

  it.skipIf(skip)("the Prisma client works against the migrated tables", async () => {
    const t = await db.prisma.topology.create({ data: { name: `m-${kind}`, document: { z: 1, a: [1, 2] } } });
    const back = await db.prisma.topology.findUniqueOrThrow({ where: { id: t.id } });
    expect(JSON.stringify(back.document)).toBe('{"z":1,"a":[1,2]}');
  });

  it.skipIf(skip)("a failing migration is rolled back and not recorded; a changed one is refused", async () => {
    const dir = await tempMigrations({
      "20990101000000_ok": `CREATE TABLE "Tmp_ok" (id INT);`,
      "20990101000001_bad": `CREATE TABLE "Tmp_bad" (id INT);\nSELECT no_such_function();`,
    });
    try {
      await expect(db.migrate({ dir })).rejects.toThrow(/20990101000001_bad failed and was rolled back/);
      const tables = await rawQuery<{ t: string | null }>(db, `SELECT to_regclass('"Tmp_bad"')::text AS t`);
      expect(tables[0]!.t).toBeNull();
      const names = await rawQuery<{ migration_name: string }>(db, `SELECT migration_name FROM "_prisma_migrations" WHERE migration_name LIKE '2099%'`);
      expect(names.map((n) => n.migration_name)).toEqual(["20990101000000_ok"]);
      await writeFile(path.join(dir, "20990101000000_ok", "migration.sql"), `CREATE TABLE "Tmp_ok" (id BIGINT);`);
      await expect(db.migrate({ dir })).rejects.toThrow(MigrationError);
      await expect(db.migrate({ dir })).rejects.toThrow(/20990101000000_ok was changed after it was applied/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!TEST_DATABASE_URL)(`migration runner concurrency (PostgreSQL)${TEST_DATABASE_URL ? "" : `: skipped, ${NO_POSTGRES_REASON}`}`, () => {
  it("two processes migrating at once: the advisory lock lets exactly one apply", async () => {
    const pgdb = await createTestPostgres();
    const a = await openDatabase({ DATABASE_URL: pgdb.url });
    const b = await openDatabase({ DATABASE_URL: pgdb.url });
    try {
      const [ra, rb] = await Promise.all([a.migrate(), b.migrate()]);
      const files = (await loadMigrations()).map((m) => m.name);
      expect([...ra.applied, ...rb.applied].sort()).toEqual(files);
      expect([...ra.alreadyApplied, ...rb.alreadyApplied].sort()).toEqual(files);
    } finally {
      await a.close();
      await b.close();
      await pgdb.drop();
    }
  });
});


describe("PGlite data dir", () => {
  it("is created with its parent, survives a reopen, and is locked against a second opener", async () => {
    const parent = await mkdtemp(path.join(os.tmpdir(), "lvs-pglite-"));
    const dir = path.join(parent, "nested", "pglite");
    try {
      const a = await openDatabase({ DATABASE_URL: `pglite:${dir}` });
      await expect(openDatabase({ DATABASE_URL: `pglite:${dir}` })).rejects.toThrow(/already open in this process/);
      await a.migrate();
      await a.prisma.topology.create({ data: { name: "kept", document: {} } });
      await a.close();
      // another live process holds it (pid 1 is always alive): refused, naming DATABASE_URL for several instances
      await writeFile(`${dir}.lock`, "1");
      await expect(openDatabase({ DATABASE_URL: `pglite:${dir}` })).rejects.toThrow(/in use by process 1 .*to run several instances, give them all one PostgreSQL with DATABASE_URL=postgres:\/\//);
      await writeFile(`${dir}.lock`, "999999999"); // a dead owner's stale lock is taken over
      const b = await openDatabase({ DATABASE_URL: `pglite:${dir}` });
      expect((await b.migrate()).applied).toEqual([]);
      expect((await b.prisma.topology.findMany()).map((t) => t.name)).toEqual(["kept"]);
      await b.close();
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  }, 120_000);
});
