/**
 * The gate: every tRPC procedure except the short public list refuses an anonymous caller with
 * UNAUTHORIZED, and every procedure a role may not run refuses it with FORBIDDEN. Walks the real
 * appRouter, so a router added later without authedProcedure fails here.
 */
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLES, can, type Action } from "../../lvs/auth/permissions.ts";
import { openDatabase, type Database } from "../db/openDatabase.ts";
import { MemoryEventBus } from "../events/MemoryEventBus.ts";
import { createLogger } from "../log.ts";
import { appRouter } from "./root.ts";
import { testSession } from "./testFixtures.ts";
import { createCallerFactory, type Context, type ProcedureMeta } from "./trpc.ts";

const PUBLIC = ["auth.login", "auth.logout", "auth.setup", "auth.status"];
const log = createLogger("silent");

type AnyProcedure = { _def: { type: "query" | "mutation" | "subscription"; meta?: ProcedureMeta } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>).sort(([a], [b]) => a.localeCompare(b));

async function call(ctx: Context, path: string, type: string): Promise<unknown> {
  let node: unknown = createCallerFactory(appRouter)(ctx);
  for (const part of path.split(".")) node = (node as Record<string, unknown>)[part];
  const r = (node as (input: unknown) => Promise<unknown>)(undefined);
  if (type === "subscription") {
    const it = (await r) as AsyncIterable<unknown>;
    for await (const v of it) return v; // the first step runs the middlewares
  }
  return r;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (err) {
    return err instanceof TRPCError ? err.code : `not a TRPCError: ${String(err)}`;
  }
}

describe("tRPC gate", () => {
  let db: Database;
  let bus: MemoryEventBus;
  beforeAll(async () => {
    db = await openDatabase({ DATABASE_URL: "pglite:memory" });
    await db.migrate();
    bus = new MemoryEventBus(log);
  }, 60_000);
  afterAll(async () => {
    await bus?.close();
    await db?.close();
  });
  const ctx = (session: Context["session"]): Context => ({ db, bus, log, session, ip: "127.0.0.9", now: () => Date.now() });

  it("knows the routers (sanity: the walk sees procedures)", () => {
    expect(procedures.length).toBeGreaterThan(10);
    expect(procedures.map(([p]) => p)).toEqual(expect.arrayContaining(["topology.save", "user.create", "audit.list", ...PUBLIC]));
  });

  it("every procedure but the public list needs a session, and says which action it checks", async () => {
    const anonymous = ctx(null);
    for (const [path, proc] of procedures) {
      if (PUBLIC.includes(path)) {
        expect(proc._def.meta?.public, path).toBe(true);
        continue;
      }
      expect(proc._def.meta?.action, `${path} has no authedProcedure(action)`).toBeTruthy();
      expect(await codeOf(call(anonymous, path, proc._def.type)), path).toBe("UNAUTHORIZED");
    }
  });

  it("a role below a procedure's action is FORBIDDEN; a refused mutation is audited as denied", async () => {
    for (const role of ROLES) {
      const session = await testSession(db, role);
      for (const [path, proc] of procedures) {
        const action = proc._def.meta?.action as Action | undefined;
        if (!action || can(role, action)) continue;
        expect(await codeOf(call(ctx(session), path, proc._def.type)), `${role} ${path}`).toBe("FORBIDDEN");
      }
    }
    const denied = await db.prisma.auditEvent.findMany({ where: { outcome: "denied", actor: "viewer@test.invalid" } });
    expect(denied.map((d) => d.action)).toEqual(expect.arrayContaining(["topology.save", "user.create", "director.create"]));
    expect(denied.every((d) => d.sourceIp === "127.0.0.9")).toBe(true);
  });

  it("a refused mutation's audit row names what it aimed at, from the raw input", async () => {
    const viewer = createCallerFactory(appRouter)(ctx(await testSession(db, "viewer")));
    await expect(viewer.topology.save({ id: "t-42", expectedRevision: 1, document: {} as never })).rejects.toThrow(/needs the operator role/);
    await expect(viewer.user.create({ email: "New@Example.com", role: "admin", password: "x".repeat(12) })).rejects.toThrow(/needs the admin role/);
    const rows = await db.prisma.auditEvent.findMany({ where: { actor: "viewer@test.invalid", target: { not: "-" } }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.action, r.target, r.outcome])).toEqual([
      ["topology.save", "topology:t-42", "denied"],
      ["user.create", "user:new@example.com", "denied"],
    ]);
  });

  it("an allowed role gets past the gate (input validation answers next, not the gate)", async () => {
    const viewer = ctx(await testSession(db, "viewer"));
    expect(await codeOf(call(viewer, "topology.list", "query"))).toBe("OK");
    expect(await codeOf(call(viewer, "topology.get", "query"))).toBe("BAD_REQUEST");
    expect(await codeOf(call(viewer, "topology.open", "query"))).toBe("BAD_REQUEST");
    expect(await codeOf(call(ctx(await testSession(db, "operator")), "topology.save", "mutation"))).toBe("BAD_REQUEST");
  });
});
