import { describe, expect, it } from "vitest";
import { topologySchema } from "../lvs/schemas.ts";
import { validate } from "../lvs/validate.ts";
import { scaleTopology } from "./scaleTopology.ts";

describe("scaleTopology", () => {
  it("has the asked size, unique service keys and real server addresses", () => {
    const t = scaleTopology(10_000, 5);
    expect(t.services).toHaveLength(10_000);
    expect(t.memberships).toHaveLength(50_000);
    expect(new Set(t.services.map((s) => `${s.protocol} ${s.address}:${s.port}`)).size).toBe(10_000);
    expect(new Set(t.realServers.map((r) => r.address)).size).toBe(t.realServers.length);
    expect(new Set(t.memberships.map((m) => `${m.serviceId} ${m.realServerId}`)).size).toBe(50_000);
  });

  it("is a document the console accepts (schema, no validation issue) at a small size", () => {
    const t = scaleTopology(200, 5);
    expect(topologySchema.safeParse(t).success).toBe(true);
    expect(validate(t)).toEqual([]);
  });
});
