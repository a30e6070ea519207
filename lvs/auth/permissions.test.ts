import { describe, expect, it } from "vitest";
import { ACTIONS, can, requiredRole, ROLES, type Action } from "./permissions.ts";

describe("permissions", () => {
  it("viewer reads and exports but cannot change anything", () => {
    expect(can("viewer", "topology.read")).toBe(true);
    expect(can("viewer", "topology.export")).toBe(true);
    for (const a of ["topology.save", "topology.apply", "realServer.drain", "user.admin", "token.admin"] as Action[]) {
      expect(can("viewer", a)).toBe(false);
    }
  });

  it("operator edits, plans, applies and drains; admin also manages users and tokens", () => {
    expect(can("operator", "topology.apply")).toBe(true);
    expect(can("operator", "realServer.drain")).toBe(true);
    expect(can("operator", "user.admin")).toBe(false);
    expect(can("admin", "user.admin")).toBe(true);
    expect(can("admin", "token.admin")).toBe(true);
  });

  it("no session can do nothing, and roles are strictly ordered", () => {
    for (const a of Object.keys(ACTIONS) as Action[]) {
      expect(can(null, a)).toBe(false);
      const allowed = ROLES.map((r) => can(r, a));
      // once a role may, every higher role may too
      expect(allowed).toEqual([...allowed].sort((x, y) => Number(x) - Number(y)));
      expect(can(requiredRole(a), a)).toBe(true);
    }
  });
});
