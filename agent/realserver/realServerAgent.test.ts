import { describe, expect, it } from "vitest";
import type { AgentMessage } from "../../lvs/protocol/agent.ts";
import { agentMessageSchema } from "../../lvs/protocol/agent.ts";
import { realServerHostSettings } from "../../lvs/realServer/hostSettings.ts";
import { modesTopology } from "../../lvs/realServer/testing.ts";
import { memoryLog } from "../log.ts";
import { FakeRealServerSystem } from "./fakeRealServerSystem.ts";
import { RealServerPreparer } from "./realServerPreparer.ts";
import { MemoryRealServerStateStore } from "./realServerState.ts";
import { RealServerAgent, type ApplyPolicy } from "./realServerAgent.ts";

type Report = Extract<AgentMessage, { type: "rs.report" }>;

function setup(apply: ApplyPolicy, store = new MemoryRealServerStateStore(), sys = new FakeRealServerSystem()) {
  sys.addresses.push({ iface: "eth0", address: "10.0.0.2", prefix: 24 });
  const timers: Array<() => void> = [];
  const preparer = new RealServerPreparer({ system: sys, store, log: memoryLog(), clock: { now: () => 5000 } });
  const agent = new RealServerAgent({
    preparer, apply, log: memoryLog(), clock: { now: () => 5000 }, recheckMs: 1000,
    timers: { setTimeout: (fn) => { timers.push(fn); return timers.length; }, clearTimeout: () => {} },
  });
  const sent: AgentMessage[] = [];
  agent.send = (m) => { sent.push(agentMessageSchema.parse(m)); return true; };
  const reports = () => sent.filter((m): m is Report => m.type === "rs.report");
  return { sys, store, agent, sent, reports, timers };
}
const desired = { v: 1 as const, type: "rs.desired" as const, revision: 7, desired: realServerHostSettings(modesTopology(), ["10.0.0.2"]) };

describe("RealServerAgent (real-server role over the link)", () => {
  it("auto: applies the desired settings and reports every check passing, per membership", async () => {
    const { sys, agent, reports } = setup("auto");
    await agent.start();
    await agent.handle(desired);
    const [r] = reports();
    expect(r!.report.kind).toBe("apply");
    expect(r!.report.revision).toBe(7);
    expect(r!.report.checks.length).toBeGreaterThan(2);
    expect(r!.report.checks.every((c) => c.ok)).toBe(true);
    expect(r!.report.checks.find((c) => c.id === "address lo 10.0.0.100/32")).toMatchObject({ ok: true, memberships: ["m-dr"], observed: "10.0.0.100/32 on lo" });
    expect(sys.changes).toContain("addr add 10.0.0.100/32 dev lo (inet)");
  });

  it("on-request: only verifies (failing checks with what was observed) until rs.prepare, which answers with its requestId", async () => {
    const { sys, agent, reports } = setup("on-request");
    await agent.start();
    await agent.handle(desired);
    expect(sys.changes).toEqual([]);
    const first = reports()[0]!.report;
    expect(first.kind).toBe("verify");
    expect(first.checks.find((c) => c.id === "address lo 10.0.0.100/32")).toMatchObject({ ok: false, observed: "absent", memberships: ["m-dr"] });
    expect(first.checks.find((c) => c.id === "sysctl net.ipv4.conf.all.arp_ignore")).toMatchObject({ ok: false, observed: "0" });
    await agent.handle({ v: 1, type: "rs.prepare", requestId: "req-1" });
    const second = reports()[1]!;
    expect(second.requestId).toBe("req-1");
    expect(second.report.kind).toBe("apply");
    expect(second.report.checks.every((c) => c.ok)).toBe(true);
    expect(second.report.changes).toContain("addr add 10.0.0.100/32 dev lo");
  });

  it("prepare before any desired settings is refused with an error message, changing nothing", async () => {
    const { sys, agent, sent } = setup("on-request");
    await agent.start();
    await agent.handle({ v: 1, type: "rs.prepare", requestId: "r" });
    expect(sent).toEqual([expect.objectContaining({ type: "error", code: "realserver.no-desired" })]);
    expect(sys.changes).toEqual([]);
  });

  it("re-check reports drift (VIP removed by hand) once, and nothing while nothing changes", async () => {
    const { sys, agent, reports } = setup("auto");
    await agent.start();
    await agent.handle(desired);
    await agent.recheck();
    expect(reports()).toHaveLength(1);
    sys.addresses = sys.addresses.filter((a) => a.address !== "10.0.0.100");
    await agent.recheck();
    await agent.recheck();
    expect(reports()).toHaveLength(2);
    expect(reports()[1]!.report.checks.find((c) => c.id === "address lo 10.0.0.100/32")).toMatchObject({ ok: false, observed: "absent" });
  });

  it("a desired list without this real server (removed from the topology) undoes what the agent set", async () => {
    const { sys, agent } = setup("auto");
    await agent.start();
    await agent.handle(desired);
    await agent.handle({ ...desired, revision: 8, desired: { rips: [], settings: [], notes: [] } });
    expect(sys.addresses.some((a) => a.address === "10.0.0.100")).toBe(false);
    expect(sys.sysctls["net.ipv4.conf.all.arp_ignore"]).toBe("0");
  });

  it("fail-static: a restarted agent restores the saved settings before any link and reports them after welcome", async () => {
    const store = new MemoryRealServerStateStore();
    const a = setup("auto", store);
    await a.agent.start();
    await a.agent.handle(desired);
    const b = setup("auto", store); // a fresh host (reboot): nothing set
    await b.agent.start();
    expect(b.sys.addresses.some((x) => x.address === "10.0.0.100" && x.iface === "lo")).toBe(true);
    expect(b.agent.hello("rs1", "0.1.0")).toMatchObject({ type: "rs.hello", revision: 7, apply: "auto" });
    await b.agent.handle({ v: 1, type: "welcome", directorId: "a", directorName: "web", serverTime: 1, heartbeatMs: 1000 });
    expect(b.reports()[0]!.report.kind).toBe("restore");
  });
});
