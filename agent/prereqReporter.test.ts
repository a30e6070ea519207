import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentMessageSchema, type AgentMessage } from "../lvs/protocol/agent.ts";
import { directorPrerequisites } from "../lvs/realServer/directorPrerequisites.ts";
import { modesTopology } from "../lvs/realServer/testing.ts";
import { Agent } from "./agent.ts";
import { FakeEngine } from "./fakeEngine.ts";
import { FailStatic } from "./failStatic.ts";
import { realTimers, systemClock } from "./health/monitor.ts";
import { memoryLog } from "./log.ts";
import { FakeRealServerSystem } from "./realserver/fakeRealServerSystem.ts";
import { desired } from "./testing/fixtures.ts";
import { validateDesired } from "./validateDesired.ts";

let dir: string;
beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), "prereq-")); });
afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

/** A director host: DIPs on eth0/eth1, the DR VIP, ip_vs loaded, ip_forward off (NAT will fail). */
function host() {
  const sys = new FakeRealServerSystem();
  sys.addresses.push({ iface: "eth0", address: "10.0.0.1", prefix: 24 }, { iface: "eth1", address: "10.0.1.1", prefix: 24 }, { iface: "eth0", address: "10.0.0.100", prefix: 32 });
  sys.modules.add("ip_vs").add("ip_vs_rr").add("ip_vs_wlc");
  sys.sysctls["net.ipv4.ip_forward"] = "0";
  return sys;
}

function make(sys = host()) {
  const sent: AgentMessage[] = [];
  const agent = new Agent({
    engine: new FakeEngine(), store: new FailStatic({ stateDir: dir }), log: memoryLog(), clock: systemClock, timers: realTimers,
    checkers: {}, validate: validateDesired, resyncIntervalMs: 0, observeHost: (keys) => sys.observe(keys),
  });
  agent.send = (m) => (sent.push(agentMessageSchema.parse(m)), true);
  const prereqs = () => sent.filter((m): m is Extract<AgentMessage, { type: "director.prereq" }> => m.type === "director.prereq");
  return { agent, sys, sent, prereqs };
}
const welcome = (features: string[]) => ({ v: 1 as const, type: "welcome" as const, directorId: "d", directorName: "dir", serverTime: 1, heartbeatMs: 5000, features });
const settings = directorPrerequisites(modesTopology(), "d1");

describe("director prerequisites (feature prereq)", () => {
  it("observes and reports them after a desired state, naming what fails (ip_forward for NAT) and never changing the host", async () => {
    const { agent, sys, prereqs } = make();
    await agent.start();
    await agent.handle(welcome(["prereq"]));
    await agent.handle({ ...desired(4, { services: [] }), prerequisites: settings });
    const [r] = prereqs();
    expect(r!.revision).toBe(4);
    const failing = r!.checks.filter((c) => !c.ok).map((c) => c.id);
    expect(failing).toEqual(["address * 10.0.0.101/32", "address * 10.0.0.102/32", "sysctl net.ipv4.ip_forward"]);
    expect(r!.checks.find((c) => c.id === "sysctl net.ipv4.ip_forward")).toMatchObject({ observed: "0", memberships: ["m-nat"] });
    expect(r!.checks.find((c) => c.id === "module ip_vs")?.ok).toBe(true);
    expect(sys.changes).toEqual([]);
    await agent.stop();
  });

  it("re-checks on heartbeats and reports only a change; sends nothing to a control plane without the feature", async () => {
    const { agent, sys, prereqs } = make();
    await agent.start();
    await agent.handle(welcome(["prereq"]));
    await agent.handle({ ...desired(4, { services: [] }), prerequisites: settings });
    const beat = { v: 1 as const, type: "heartbeat" as const, at: 1, appliedRevision: null };
    for (let i = 0; i < 6; i++) await agent.handle(beat);
    await new Promise((r) => setTimeout(r, 20));
    expect(prereqs()).toHaveLength(1);
    sys.sysctls["net.ipv4.ip_forward"] = "1";
    for (let i = 0; i < 6; i++) await agent.handle(beat);
    await new Promise((r) => setTimeout(r, 20));
    expect(prereqs()).toHaveLength(2);
    expect(prereqs()[1]!.checks.find((c) => c.id === "sysctl net.ipv4.ip_forward")?.ok).toBe(true);
    await agent.stop();

    const old = make();
    await old.agent.start();
    await old.agent.handle(welcome([]));
    await old.agent.handle({ ...desired(4, { services: [] }), prerequisites: settings });
    expect(old.prereqs()).toEqual([]);
    await old.agent.stop();
  });
});
