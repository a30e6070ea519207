// Real traffic for the live specs: small HTTP backends on 127.0.x addresses, a real lvs-agent
// process (userspace engine) enrolled through the director router, and a bounded load generator
// that opens one new TCP connection per request to the VIP (so conns/s is the request rate).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { APIRequestContext } from "@playwright/test";
import { trpcMutation } from "../fixtures/api.ts";

export interface Backend {
  name: string;
  address: string;
  port: number;
  served: number;
  server: http.Server;
  kill(): Promise<void>;
}

export async function startBackend(name: string, address: string): Promise<Backend> {
  const b = { name, address, port: 0, served: 0 } as Backend;
  const server = http.createServer((_q, res) => {
    b.served++;
    res.end(`${name}\n`);
  });
  await new Promise<void>((r) => server.listen(0, address, r));
  b.port = (server.address() as AddressInfo).port;
  b.server = server;
  b.kill = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return b;
}

export { freePort } from "../../it/helpers.ts";

/** One GET on a fresh connection; resolves with the body or null on any failure. */
export function getOnce(address: string, port: number, timeoutMs = 1000): Promise<string | null> {
  return new Promise((resolve) => {
    const req = http.get({ host: address, port, path: "/", agent: false, timeout: timeoutMs }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve(body));
      res.on("error", () => resolve(null));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(null));
  });
}

export interface Traffic {
  /** connections attempted / answered */
  sent: number;
  ok: number;
  stop(): Promise<void>;
}

/** `perSecond` new connections a second to address:port, spread over 10 ticks; bounded by `maxSeconds`. */
export function startTraffic(address: string, port: number, perSecond: number, maxSeconds = 240): Traffic {
  const t = { sent: 0, ok: 0 } as Traffic;
  const inflight = new Set<Promise<unknown>>();
  let ticks = 0;
  const timer = setInterval(() => {
    if (++ticks > maxSeconds * 10) return void clearInterval(timer);
    const n = Math.floor((ticks * perSecond) / 10) - Math.floor(((ticks - 1) * perSecond) / 10);
    for (let i = 0; i < n; i++) {
      t.sent++;
      const p = getOnce(address, port).then((body) => {
        if (body !== null) t.ok++;
      });
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
  }, 100);
  t.stop = async () => {
    clearInterval(timer);
    await Promise.all([...inflight]);
  };
  return t;
}

export interface Agent {
  process: ChildProcess;
  output: string[];
  stop(): Promise<void>;
}

/** Runs bin/lvs-agent.mjs (userspace engine) against the control plane at `server`. */
export async function startAgent(server: string, token: string): Promise<Agent> {
  const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "lvs-e2e-agent-"));
  const output: string[] = [];
  const child = spawn(process.execPath, ["bin/lvs-agent.mjs", "--server", server, "--engine", "userspace", "--state-dir", stateDir], {
    cwd: process.cwd(),
    env: { ...process.env, LVS_AGENT_TOKEN: token, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (d: Buffer) => {
    output.push(d.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  return {
    process: child,
    output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
      await fs.rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** Enrolls director `key` of a topology; returns its id and the one-time agent token. */
export async function enroll(request: APIRequestContext, topologyId: string, key: string): Promise<{ id: string; token: string }> {
  const r = await trpcMutation<{ director: { id: string }; token: string }>(request, "director.create", { topologyId, key });
  return { id: r.director.id, token: r.token };
}

/** Saving is not applying: push the latest saved revision to the directors and wait for it. */
export async function applyLatest(request: APIRequestContext, topologyId: string): Promise<unknown> {
  return trpcMutation(request, "deploy.applyRevision", { topologyId, mode: "parallel", waitMs: 15_000, message: "e2e live" });
}

/** Prometheus text → value of the first sample of `name` whose labels include all of `labels`. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number | null {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^([^{\s]+)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const lm of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) got[lm[1]!] = lm[2]!;
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return null;
}
