/**
 * Test helpers: a fresh database per suite. PostgreSQL comes from TEST_DATABASE_URL (scripts/test.sh
 * starts a throwaway server; see scripts/pg-throwaway.sh); suites that need it use
 * `describe.skipIf(!TEST_DATABASE_URL)`. PGlite runs in memory.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || null;
export const NO_POSTGRES_REASON = "TEST_DATABASE_URL is not set (scripts/test.sh starts a throwaway PostgreSQL)";

export interface TestPostgres {
  url: string;
  drop(): Promise<void>;
}

/** CREATE DATABASE t_<random> on the server of TEST_DATABASE_URL; drop() removes it. */
export async function createTestPostgres(baseUrl = TEST_DATABASE_URL): Promise<TestPostgres> {
  if (!baseUrl) throw new Error(NO_POSTGRES_REASON);
  const name = `t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
