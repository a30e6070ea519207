/**
 * `npm run bench:reload [-- --services N --reals R --agent DIR]`: issue 12 item 8's figure. Starts
 * `lvs-agent run --engine userspace --rules FILE` (a real process) on a big ipvsadm rules file
 * (default 4 001 services × 10 real servers, ~2.2 MB, loopback VIPs), holds one connection through a
 * VIP to an echoing backend and ping-pongs over it, sends SIGHUP after rewriting every weight, and
 * prints the longest time without a reply while the file reloads:
 *
 *   reload: 4001 services, 2.2 MB: longest gap 123 ms during a 4567 ms reload (8910 replies)
 *
 * `--agent DIR` runs the agent of another checkout (e.g. the commit before the reload worker) for the
 * "before" figure. Bounded: the reload must finish within 10 minutes, traffic is loopback only.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { connect, freePort, startBackend } from "../../agent/engines/userspace/testing.ts";
import { bigRules } from "./bigRules.ts";
import { startGapProbe } from "./gapProbe.ts";

const { values } = parseArgs({ options: { services: { type: "string", default: "4000" }, reals: { type: "string", default: "10" }, agent: { type: "string" } } });
const root = path.resolve(values.agent ?? path.join(import.meta.dirname, "../.."));
const dir = await fs.mkdtemp(path.join(os.tmpdir(), "lvs-bench-reload-"));
const rules = path.join(dir, "big.rules");
const vip = "127.0.11.77";
const port = await freePort(vip);
const backend = await startBackend("echo", "127.0.22.77");
const size = { services: Number(values.services), reals: Number(values.reals), port: await freePort("127.100.0.1"), head: `-A -t ${vip}:${port} -s rr\n-a -t ${vip}:${port} -r 127.0.22.77:${backend.port} -m -w 1` };
const text = bigRules(size);
await fs.writeFile(rules, text);

const child = spawn(process.execPath, [path.join(root, "bin/lvs-agent.mjs"), "run", "--engine", "userspace", "--rules", rules], { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
let stderr = "";
const waitFor = (needle: string, from: number, ms: number) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${needle}" within ${ms} ms:\n${stderr.slice(-2000)}`)), ms);
    const check = () => {
      if (stderr.indexOf(needle, from) >= 0) {
        clearTimeout(timer);
        child.stderr!.off("data", check);
        resolve();
      }
    };
    child.stderr!.on("data", check);
    check();
  });
child.stderr!.on("data", (b) => (stderr += b));
try {
  await waitFor("lvs-agent: forwarding", 0, 600_000);
  const c = await connect(vip, port);
  await fs.writeFile(rules, bigRules({ ...size, variant: 1 }));
  const mark = stderr.length;
  const probe = startGapProbe(c.socket);
  child.kill("SIGHUP");
  await waitFor(": reloaded", mark, 600_000);
  const f = probe.stop();
  await c.close();
  const mb = (Buffer.byteLength(text) / 1e6).toFixed(1);
  console.log(`reload: ${size.services + 1} services, ${mb} MB: longest gap ${Math.round(f.longestGapMs)} ms during a ${Math.round(f.durationMs)} ms reload (${f.roundTrips} replies)`);
  console.log(`load average: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
} finally {
  child.kill("SIGTERM");
  await backend.close();
  await fs.rm(dir, { recursive: true });
}
