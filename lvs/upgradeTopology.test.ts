import { describe, expect, it } from "vitest";
import type { HealthCheck, Topology } from "./model.ts";
import { healthCheckSchema } from "./schemas.ts";
import { LEGACY_COMMAND_CHECK, upgradeHealthCheck, upgradeTopology } from "./upgradeTopology.ts";

const timing = { intervalMs: 1000, timeoutMs: 500, rise: 1, fall: 1, onFailure: "quiesce" as const };
const legacy = (command: string) => ({ kind: "exec", command, ...timing }) as unknown as HealthCheck;

describe("upgrade of stored documents", () => {
  it("turns a legacy shell command into a named check the schema accepts, never keeping shell syntax", () => {
    expect(upgradeHealthCheck(legacy("/usr/local/bin/check_web --fast 80"))).toEqual({ kind: "exec", check: "check_web", args: ["--fast", "80"], ...timing });
    for (const cmd of ['curl -fs http://$LVS_RS_ADDRESS/ || exit 1', "id -un > /tmp/x; env", "`reboot`", ""]) {
      const up = upgradeHealthCheck(legacy(cmd))!;
      expect(up).toEqual({ kind: "exec", check: LEGACY_COMMAND_CHECK, args: [], ...timing });
      expect(healthCheckSchema.safeParse(up).success).toBe(true);
    }
    const ok = { kind: "tcp", port: null, ...timing } as HealthCheck;
    expect(upgradeHealthCheck(ok)).toBe(ok);
  });
  it("upgrades services and memberships and leaves a current document untouched", () => {
    const doc = {
      name: "t", directors: [], realServers: [], layout: {},
      services: [{ id: "s", healthCheck: legacy("check_a") }],
      memberships: [{ id: "m", healthCheck: legacy("/opt/check_b x") }],
    } as unknown as Topology;
    const up = upgradeTopology(doc);
    expect(up.services[0]!.healthCheck).toMatchObject({ check: "check_a", args: [] });
    expect(up.memberships[0]!.healthCheck).toMatchObject({ check: "check_b", args: ["x"] });
    expect(upgradeTopology(up)).toBe(up);
  });
});
