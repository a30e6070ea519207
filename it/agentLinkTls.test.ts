/**
 * `--server https://…`: the link speaks wss to a TLS endpoint (a control plane behind a TLS proxy, or
 * serving TLS itself). A certificate the agent cannot verify is refused with the TLS reason in its
 * log, retried, never fatal; `--insecure` (lab use) accepts it. The certificate is made with openssl.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { AgentHub, type DesiredState } from "../server/realtime/agentHub.ts";
import { MemoryAgentDirectory } from "./memoryAgentDirectory.ts";
import { MemoryEventBus } from "../server/events/MemoryEventBus.ts";
import { runAgent, type RunningAgent } from "../agent/runAgent.ts";
import { FakeEngine } from "../agent/fakeEngine.ts";
import { memoryLog } from "../agent/log.ts";
import { dest, tcpService } from "../agent/testing/fixtures.ts";
import { until } from "./helpers.ts";

describe("agent link over TLS (wss)", () => {
  let dir: string;
  let server: https.Server;
  let hub: AgentHub;
  let url: string;
  const directory = new MemoryAgentDirectory();
  const desired = new Map<string, DesiredState>();
  const agents: RunningAgent[] = [];
  const table = { services: [tcpService("10.0.0.1", 443, [dest("192.168.1.1", 443)])] };

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "agent-tls-"));
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
      "-subj", "/CN=lvs-console-test", "-addext", "subjectAltName=IP:127.0.0.1",
      "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"),
    ], { stdio: "ignore" });
    hub = new AgentHub({ directory, bus: new MemoryEventBus(pino({ level: "silent" })), desiredFor: async (id) => desired.get(id) ?? null, log: { info: () => {}, warn: () => {} }, heartbeatMs: 500 });
    directory.watch(hub);
    server = https.createServer({ key: await fs.readFile(path.join(dir, "key.pem")), cert: await fs.readFile(path.join(dir, "cert.pem")) });
    server.on("upgrade", (req, socket, head) => hub.handleUpgrade(req, socket, head));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const a of agents) await a.stop();
    await hub.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await fs.rm(dir, { recursive: true, force: true });
  });

  const start = async (token: string, insecure: boolean) => {
    const log = memoryLog();
    const engine = new FakeEngine();
    const a = await runAgent({
      server: url, token, engine, stateDir: path.join(dir, `state-${agents.length}`), log, checkers: {},
      backoff: { initialMs: 50, maxMs: 200 }, random: () => 0.5, ...(insecure ? { insecure: true } : {}),
    });
    agents.push(a);
    return { a, log, engine };
  };

  it("refuses an unverifiable certificate, says why, keeps retrying", async () => {
    const token = directory.add("strict");
    desired.set("strict", { revision: 1, table, health: { targets: [], sorryServers: [] } });
    const { log, engine } = await start(token, false);
    await until(() => log.lines.filter((l) => /reconnecting in/.test(l)).length >= 2, 5000, "retries");
    expect(log.lines.join("\n")).toMatch(/link closed \(1006 self-signed certificate\)/);
    expect(directory.rows.get("strict")!.online).toBe(false);
    expect(engine.table).toEqual({ services: [] });
  });

  it("with --insecure it connects over wss and applies the desired table", async () => {
    const token = directory.add("lab");
    desired.set("lab", { revision: 4, table, health: { targets: [], sorryServers: [] } });
    const { engine } = await start(token, true);
    await until(() => directory.rows.get("lab")!.appliedRevision === 4, 5000, "revision 4 applied over wss");
    expect(engine.table).toEqual(table);
  });
});
