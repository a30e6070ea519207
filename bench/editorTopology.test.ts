import { describe, expect, it } from "vitest";
import { compileTopology } from "../lvs/compile.ts";
import { topologySchema } from "../lvs/schemas.ts";
import { validate } from "../lvs/validate.ts";
import { benchShape, benchTopology } from "./editorTopology.ts";

describe("bench:editor topology", () => {
  it("has exactly the asked nodes and edges (placements + memberships), valid and compilable", () => {
    const t = benchTopology(500, 1000);
    expect(t.directors.length + t.services.length + t.realServers.length).toBe(500);
    const placements = t.services.reduce((n, s) => n + s.directorIds.length, 0);
    expect(placements + t.memberships.length).toBe(1000);
    expect(new Set(t.memberships.map((m) => `${m.serviceId} ${m.realServerId}`)).size).toBe(t.memberships.length);
    expect(topologySchema.safeParse(t).success).toBe(true);
    expect(validate(t).filter((i) => i.severity === "error")).toEqual([]);
    expect(Object.keys(compileTopology(t))).toHaveLength(10);
    expect(Object.keys(t.layout)).toHaveLength(500);
    expect(benchTopology(500, 1000)).toEqual(t);
  });

  it("refuses budgets it cannot meet, naming the argument", () => {
    expect(benchShape(50, 100)).toEqual({ directors: 2, services: 14, realServers: 34, memberships: 72 });
    expect(() => benchShape(500, 300)).toThrow(/edges=300: needs at least 420 edges/);
    expect(() => benchShape(3, 10)).toThrow(/nodes=3/);
  });
});
