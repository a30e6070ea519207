/**
 * Hostile input to every tRPC procedure (walks the real appRouter like gate.test.ts), as an admin so
 * the input reaches the schema and the use case: NUL bytes, control characters, huge and deeply nested
 * values, unknown ids, plus bounded fast-check JSON. Every refusal must be a typed client error; none
 * may be INTERNAL_SERVER_ERROR (a 500).
 */
import { TRPCError } from "@trpc/server";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../db/openDatabase.ts";
import { MemoryEventBus } from "../events/MemoryEventBus.ts";
import { createLogger } from "../log.ts";
import { appRouter } from "./root.ts";
import { testSession } from "./testFixtures.ts";
import { createCallerFactory, type Context } from "./trpc.ts";

const log = createLogger("silent");
type AnyProcedure = { _def: { type: "query" | "mutation" | "subscription" } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>)
  .filter(([, p]) => p._def.type !== "subscription")
  .map(([path]) => path)
  .filter((p) => p !== "auth.logout") // ends the caller's own session; not an input problem
  .sort();

function deep(n: number): unknown {
  let v: unknown = "x";
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
}
const fields = (v: unknown) => ({ id: v, topologyId: v, key: v, name: v, email: v, password: v, currentPassword: v, newPassword: v, message: v, document: v, revision: v, expectedRevision: v });
const HOSTILE: Array<[string, unknown]> = [
  ["NUL in every field", fields("a\u0000b")],
  ["control characters", fields("x\n}\r\t\u001b[2J\u2028")],
  ["huge strings", fields("y".repeat(200_000))],
  ["deep nesting", deep(5_000)],
  ["unknown ids", fields("no-such-id-00000000")],
  ["wrong types", fields([{ a: 1 }, null, 3.5])],
  ["a bare string", "\u0000"],
];

describe("hostile input to every procedure", () => {
  let db: Database;
  let ctx: Context;
  beforeAll(async () => {
    db = await openDatabase({ DATABASE_URL: "pglite:memory" });
    await db.migrate();
    ctx = { db, bus: new MemoryEventBus(log), log, session: await testSession(db, "admin"), ip: "127.0.0.9", now: () => Date.now() };
  }, 120_000);
  afterAll(async () => db?.close());

  const call = (path: string, input: unknown): Promise<unknown> => {
    let node: unknown = createCallerFactory(appRouter)(ctx);
    for (const part of path.split(".")) node = (node as Record<string, unknown>)[part];
    return (node as (i: unknown) => Promise<unknown>)(input);
  };
  const outcome = async (path: string, input: unknown): Promise<string> => {
    try {
      await call(path, input);
      return "OK";
    } catch (err) {
      return err instanceof TRPCError ? err.code : `not a TRPCError: ${String(err)}`;
    }
  };

  it("sees the procedures", () => expect(procedures.length).toBeGreaterThan(20));

  it("fixed hostile inputs give typed client errors, never INTERNAL_SERVER_ERROR", async () => {
    const bad: string[] = [];
    for (const path of procedures) {
      for (const [label, input] of HOSTILE) {
        const code = await outcome(path, input);
        if (code === "INTERNAL_SERVER_ERROR" || code.startsWith("not a TRPCError")) bad.push(`${path} / ${label}: ${code}`);
      }
    }
    expect(bad).toEqual([]);
  }, 300_000);

  it("random JSON (bounded) never gives INTERNAL_SERVER_ERROR", async () => {
    const bad: string[] = [];
    await fc.assert(fc.asyncProperty(fc.constantFrom(...procedures), fc.jsonValue({ maxDepth: 4 }), async (path, input) => {
      const code = await outcome(path, input);
      if (code === "INTERNAL_SERVER_ERROR" || code.startsWith("not a TRPCError")) bad.push(`${path}: ${JSON.stringify(input).slice(0, 200)}: ${code}`);
    }), { numRuns: 150, seed: 12, interruptAfterTimeLimit: 120_000 });
    expect(bad).toEqual([]);
  }, 300_000);
});
