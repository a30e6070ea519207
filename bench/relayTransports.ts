/**
 * `npm run bench:relay`: what moving live stats between control-plane instances costs PostgreSQL, for
 * the two database-only transports (the third, instances subscribing to each other directly, needs no
 * database at all but needs every instance reachable from every other and a peer protocol).
 *   notify: each snapshot deflated and chunked into pg_notify calls, one statement per frame (what
 *           server/cluster/statsRelay.ts does); a LISTENing connection receives it.
 *   table:  each snapshot upserted into a table (one row per director, deflated), read by polling
 *           every 250 ms (NOTIFY carries no data there, so a reader must poll or be told).
 * Same load as bench:fanout (10 directors x 100 services x 10 real servers, 1 frame/s each), bounded
 * to BENCH_SECONDS (default 8) per transport. Prints WAL bytes written, database time per frame and
 * delivery latency p50/p95. BENCH_DATABASE_URL, or a throwaway PostgreSQL is started here.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { deflateRawSync } from "node:zlib";
import pg from "pg";
import { encodeFrame } from "../server/cluster/statsFrames.ts";
import { makeSnapshot, tick } from "./fanout/agentLoad.ts";
import { summarize } from "./fanout/stats.ts";

const SECONDS = Math.min(30, Number(process.env.BENCH_SECONDS ?? 8));
const DIRECTORS = 10;
let pgDir: string | null = null;
let url = process.env.BENCH_DATABASE_URL ?? "";
if (!/^postgres/.test(url)) {
  const out = execFileSync("bash", [path.join(import.meta.dirname, "..", "scripts", "pg-throwaway.sh"), "start"], { encoding: "utf8" });
  url = /DATABASE_URL=(\S+)/.exec(out)![1]!;
  pgDir = /PGDIR=(\S+)/.exec(out)![1]!;
}
const stop = () => {
  if (pgDir) execFileSync("bash", [path.join(import.meta.dirname, "..", "scripts", "pg-throwaway.sh"), "stop", pgDir], { stdio: "ignore" });
  pgDir = null;
};
process.on("exit", stop);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pool = new pg.Pool({ connectionString: url, max: 4 });
const wal = async () => BigInt((await pool.query("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn AS b")).rows[0].b);
const snaps = Array.from({ length: DIRECTORS }, (_, i) => makeSnapshot(i, 100, 10));

async function run(name: string, setup: () => Promise<() => Promise<void>>, send: (d: number, at: number) => Promise<void>, received: number[]) {
  const teardown = await setup();
  const w0 = await wal();
  let dbMs = 0;
  let frames = 0;
  const end = Date.now() + SECONDS * 1000;
  for (let s = 0; Date.now() < end; s++) {
    const t = Date.now();
    for (let d = 0; d < DIRECTORS; d++) {
      tick(snaps[d]!, s);
      snaps[d]!.at = Date.now();
      const t0 = performance.now();
      await send(d, snaps[d]!.at);
      dbMs += performance.now() - t0;
      frames++;
    }
    await sleep(Math.max(0, 1000 - (Date.now() - t)));
  }
  await sleep(600);
  const walBytes = Number((await wal()) - w0);
  await teardown();
  const l = summarize(received);
  process.stdout.write(`| ${name} | ${frames} | ${l.n} | ${(walBytes / frames / 1024).toFixed(1)} KiB | ${(dbMs / frames).toFixed(1)} | ${l.p50.toFixed(0)} | ${l.p95.toFixed(0)} |\n`);
}

process.stdout.write(`relay transports: ${DIRECTORS} directors x 100 services x 10 real servers, 1 frame/s each, ${SECONDS} s each\n\n`);
process.stdout.write("| transport | frames sent | frames received | WAL per frame | database ms per frame (sender) | p50 ms | p95 ms |\n|---|---|---|---|---|---|---|\n");

// NOTIFY
{
  const lat: number[] = [];
  const listener = new pg.Client({ connectionString: url });
  const parts = new Map<string, { n: number; got: number }>();
  await run("notify (chosen)", async () => {
    await listener.connect();
    await listener.query("LISTEN bench_relay");
    listener.on("notification", (m) => {
      const [, dir, seq, , count] = m.payload!.split(" ", 5);
      const k = `${dir}/${seq}`;
      const p = parts.get(k) ?? { n: Number(count), got: 0 };
      p.got++;
      parts.set(k, p);
      if (p.got === p.n) {
        parts.delete(k);
        lat.push(Date.now() - Number(seq));
      }
    });
    return async () => { await listener.end(); };
  }, async (d, at) => {
    await pool.query("SELECT pg_notify('bench_relay', c) FROM unnest($1::text[]) AS t(c)", [encodeFrame("i", `d${d}`, at, snaps[d]!)]);
  }, lat);
}

// shared table, polled
{
  const lat: number[] = [];
  let polling = true;
  let poller: Promise<void> = Promise.resolve();
  await run("table + 250 ms polling", async () => {
    await pool.query(`CREATE TABLE IF NOT EXISTS bench_stats (director text PRIMARY KEY, at bigint NOT NULL, data bytea NOT NULL)`);
    const seen = new Map<string, number>();
    poller = (async () => {
      while (polling) {
        const rows = (await pool.query("SELECT director, at, data FROM bench_stats")).rows as Array<{ director: string; at: string; data: Buffer }>;
        const now = Date.now();
        for (const r of rows) {
          const at = Number(r.at);
          if ((seen.get(r.director) ?? 0) < at) {
            seen.set(r.director, at);
            lat.push(now - at);
          }
        }
        await sleep(250);
      }
    })();
    return async () => { polling = false; await poller; await pool.query("DROP TABLE bench_stats"); };
  }, async (d, at) => {
    await pool.query(
      "INSERT INTO bench_stats (director, at, data) VALUES ($1, $2, $3) ON CONFLICT (director) DO UPDATE SET at = EXCLUDED.at, data = EXCLUDED.data",
      [`d${d}`, at, deflateRawSync(Buffer.from(JSON.stringify(snaps[d])), { level: 1 })],
    );
  }, lat);
}

await pool.end();
stop();
