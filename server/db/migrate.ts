/**
 * Our own migration runner (Prisma's schema engine cannot be downloaded here). Applies
 * prisma/migrations/<name>/migration.sql in name order, one transaction per migration, under a
 * PostgreSQL advisory lock, and records each in a `_prisma_migrations` table compatible with
 * `prisma migrate deploy` (checksum = sha256 hex of the script with CRLF -> LF).
 * Scripts go through `pg` or `PGlite.exec` directly (never the adapters' executeScript).
 */
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/** The few SQL calls the runner needs; one session (the lock and transactions are per connection). */
export interface MigrationSql {
  /** run a multi-statement script */
  exec(script: string): Promise<void>;
  query<R extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
}

export interface Migration {
  name: string;
  script: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export const DEFAULT_MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../prisma/migrations");
/** arbitrary but fixed: "lvsmigr" */
const LOCK_KEY = 0x6c76736d696772n;

export function migrationChecksum(script: string): string {
  return createHash("sha256").update(script.replace(/\r\n/g, "\n"), "utf8").digest("hex");
}

export async function loadMigrations(dir = DEFAULT_MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const out: Migration[] = [];
  for (const name of names) {
    const script = await readFile(path.join(dir, name, "migration.sql"), "utf8");
    out.push({ name, script, checksum: migrationChecksum(script) });
  }
  return out;
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export class MigrationError extends Error {
  override name = "MigrationError";
}

export async function runMigrations(
  sql: MigrationSql,
  opts: { migrations?: Migration[]; dir?: string; log?: (msg: string) => void } = {},
): Promise<MigrationResult> {
  const migrations = opts.migrations ?? (await loadMigrations(opts.dir));
  const log = opts.log ?? (() => {});
  await sql.query("SELECT pg_advisory_lock($1)", [LOCK_KEY.toString()]);
  try {
    await sql.exec(CREATE_TABLE);
    const rows = await sql.query<{ migration_name: string; checksum: string; finished_at: unknown; rolled_back_at: unknown }>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at`,
    );
    const done = new Map<string, string>();
    for (const r of rows) {
      if (r.rolled_back_at !== null) continue;
      if (r.finished_at === null) {
        throw new MigrationError(`migration ${r.migration_name} is recorded as started but not finished; fix the database by hand, then delete its _prisma_migrations row`);
      }
      done.set(r.migration_name, r.checksum);
    }
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const m of migrations) {
      const recorded = done.get(m.name);
      if (recorded !== undefined) {
        if (recorded !== m.checksum) {
          throw new MigrationError(`migration ${m.name} was changed after it was applied (checksum ${recorded} in the database, ${m.checksum} on disk); add a new migration instead`);
        }
        result.alreadyApplied.push(m.name);
        continue;
      }
      const id = randomUUID();
      await sql.exec("BEGIN");
      try {
        await sql.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`, [id, m.checksum, m.name]);
        await sql.exec(m.script);
        await sql.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
        await sql.exec("COMMIT");
      } catch (err) {
        await sql.exec("ROLLBACK").catch(() => {});
        throw new MigrationError(`migration ${m.name} failed and was rolled back: ${(err as Error).message}`);
      }
      log(`applied migration ${m.name}`);
      result.applied.push(m.name);
    }
    return result;
  } finally {
    await sql.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY.toString()]).catch(() => {});
  }
}
