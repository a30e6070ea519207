/**
 * Database selection: DATABASE_URL=postgres://... -> PostgreSQL through @prisma/adapter-pg;
 * unset -> embedded PGlite in <LVS_DATA_DIR>/pglite; `pglite:<dir>` -> PGlite in <dir>;
 * `pglite:memory` -> PGlite in memory (tests). One process per PGlite data dir.
 */
import { mkdir, open, readFile, rm } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../generated/prisma/client.ts";
import { runMigrations, type MigrationResult, type MigrationSql } from "./migrate.ts";

export type DatabaseKind = "pglite" | "postgres";

/** Raw access below Prisma: what LISTEN/NOTIFY and the migration runner need. */
export type RawDatabase =
  | { kind: "postgres"; url: string; pool: pg.Pool }
  | { kind: "pglite"; pglite: PGlite };

export interface Database {
  prisma: PrismaClient;
  kind: DatabaseKind;
  raw: RawDatabase;
  /** true when a trivial query answers */
  ping(): Promise<boolean>;
  /** apply pending migrations (prisma/migrations) */
  migrate(opts?: { dir?: string; log?: (msg: string) => void }): Promise<MigrationResult>;
  close(): Promise<void>;
}

export interface DatabaseEnv {
  DATABASE_URL?: string | undefined;
  LVS_DATA_DIR?: string | undefined;
}

export type DatabaseTarget = { kind: "postgres"; url: string } | { kind: "pglite"; dir: string | null };

export function resolveDatabaseTarget(env: DatabaseEnv): DatabaseTarget {
  const url = env.DATABASE_URL;
  if (url && /^postgres(ql)?:\/\//.test(url)) return { kind: "postgres", url };
  if (url && url.startsWith("pglite:")) {
    const rest = url.slice("pglite:".length);
    return { kind: "pglite", dir: rest === "memory" ? null : path.resolve(rest) };
  }
  if (url) throw new Error(`DATABASE_URL must start with postgres://, postgresql:// or pglite: (got ${JSON.stringify(url.slice(0, 40))})`);
  return { kind: "pglite", dir: path.resolve(env.LVS_DATA_DIR ?? ".data", "pglite") };
}

export async function openDatabase(env: DatabaseEnv): Promise<Database> {
  const target = resolveDatabaseTarget(env);
  return target.kind === "postgres" ? openPostgres(target.url) : openPglite(target.dir);
}

async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on("error", () => {}); // idle client errors surface on the next query instead of crashing
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    kind: "postgres",
    raw: { kind: "postgres", url, pool },
    async ping() {
      try {
        await pool.query("SELECT 1");
        return true;
      } catch {
        return false;
      }
    },
    async migrate(opts) {
      const client = await pool.connect();
      try {
        const sql: MigrationSql = {
          exec: async (script) => void (await client.query(script)),
          query: async (text, params) => (await client.query(text, params)).rows,
        };
        return await runMigrations(sql, opts);
      } finally {
        client.release();
      }
    },
    async close() {
      await prisma.$disconnect().catch(() => {});
      await pool.end().catch(() => {});
    },
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** `<dir>.lock` holds the owner's pid: a second process on one PGlite dir would corrupt it. */
async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const lockPath = `${dir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(lockPath, "wx");
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => rm(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number((await readFile(lockPath, "utf8").catch(() => "")).trim());
      if (pid && pid !== process.pid && pidAlive(pid)) {
        throw new Error(`the embedded database ${dir} is in use by process ${pid} (one process per PGlite data dir): stop it, or use another LVS_DATA_DIR; to run several instances, give them all one PostgreSQL with DATABASE_URL=postgres://USER@HOST:PORT/DB`);
      }
      if (pid === process.pid) throw new Error(`the embedded database ${dir} is already open in this process`);
      await rm(lockPath, { force: true }); // stale lock of a dead process
    }
  }
  throw new Error(`could not lock ${lockPath}`);
}

async function openPglite(dir: string | null): Promise<Database> {
  let unlock: (() => Promise<void>) | null = null;
  if (dir) {
    await mkdir(path.dirname(dir), { recursive: true });
    unlock = await lockDataDir(dir);
  }
  let pglite: PGlite;
  try {
    pglite = dir ? new PGlite(dir) : new PGlite();
    await pglite.waitReady;
  } catch (err) {
    await unlock?.();
    throw err;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  let closed = false;
  return {
    prisma,
    kind: "pglite",
    raw: { kind: "pglite", pglite },
    async ping() {
      if (closed) return false;
      try {
        await pglite.query("SELECT 1");
        return true;
      } catch {
        return false;
      }
    },
    async migrate(opts) {
      const sql: MigrationSql = {
        exec: async (script) => void (await pglite.exec(script)),
        query: async (text, params) => (await pglite.query<Record<string, unknown>>(text, params)).rows as never,
      };
      return runMigrations(sql, opts);
    },
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect().catch(() => {});
      await pglite.close().catch(() => {});
      await unlock?.();
    },
  };
}
