/**
 * The userspace engine behind VRRP, for real: in a network namespace of its own, the engine is
 * given VIPs that are on no interface (a BACKUP director), then the VIPs are added the way
 * keepalived adds them on becoming MASTER (an address on an interface, netlink), removed (BACKUP
 * again) and added back. Each time the address is there, a TCP connection to VIP:port must reach
 * the backend. Needs root and iproute2 (skipped otherwise).
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import readline from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const canRun = process.getuid?.() === 0 && (() => {
  try { execFileSync("ip", ["-V"], { stdio: "ignore" }); return true; } catch { return false; }
})();

const NS = `lvslate${process.pid}`;
const V4 = "10.77.0.1";
const V6 = "fd00:77::1";
const ip = (...args: string[]) => execFileSync("ip", args, { stdio: "pipe" }).toString();

describe.skipIf(!canRun)("userspace engine with a VIP that arrives after it started (VRRP)", () => {
  let probe: ChildProcessWithoutNullStreams;
  const lines: string[] = [];
  const waiters: Array<() => void> = [];

  const next = async (pred: (l: string) => boolean): Promise<string> => {
    const end = Date.now() + 60_000;
    for (;;) {
      const i = lines.findIndex(pred);
      if (i >= 0) return lines.splice(i, 1)[0]!;
      if (Date.now() > end || probe.exitCode !== null) throw new Error(`probe: no matching line; got ${JSON.stringify(lines)}`);
      await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 200); });
    }
  };
  const attempt = async (vip: string) => {
    probe.stdin.write(`try ${vip}\n`);
    return next((l) => l.endsWith(` ${vip}`) || l.startsWith(`answer ${vip} `));
  };
  /** connects until the backend answers (bounded: 100 tries) */
  const answers = async (vip: string) => {
    for (let i = 0; i < 100; i++) {
      if ((await attempt(vip)).startsWith("answer")) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };

  beforeAll(async () => {
    ip("netns", "add", NS);
    ip("-n", NS, "link", "set", "lo", "up");
    // the VIPs float on this interface (keepalived's `interface`), not on lo
    ip("-n", NS, "link", "add", "vrrp0", "type", "veth", "peer", "name", "vrrp1");
    ip("-n", NS, "link", "set", "vrrp1", "up");
    ip("-n", NS, "link", "set", "vrrp0", "up");
    probe = spawn("ip", ["netns", "exec", NS, process.execPath, "--import", "tsx", "agent/engines/userspace/lateBindProbe.ts", V4, V6], { cwd: process.cwd() });
    readline.createInterface({ input: probe.stdout }).on("line", (l) => { lines.push(l); waiters.splice(0).forEach((w) => w()); });
    probe.stderr.on("data", (d) => process.stderr.write(d));
  }, 60_000);

  afterAll(() => {
    probe?.stdin.write("quit\n");
    probe?.kill();
    try { ip("netns", "del", NS); } catch { /* already gone */ }
  });

  it("applies without error, says it waits for the addresses, and binds each when VRRP adds it", async () => {
    expect(await next((l) => l.startsWith("applied "))).toBe("applied true awaiting-address,awaiting-address");
    expect(await attempt(V4)).toBe(`refused ${V4}`);
    // keepalived on becoming MASTER: the VIP on the interface
    ip("-n", NS, "addr", "add", `${V4}/24`, "dev", "vrrp0");
    expect(await answers(V4)).toBe(true);
    // IPv6 (keepalived adds VIPs with nodad: no tentative phase)
    expect(await attempt(V6)).toBe(`refused ${V6}`);
    ip("-n", NS, "addr", "add", `${V6}/64`, "dev", "vrrp0", "nodad");
    expect(await answers(V6)).toBe(true);
  }, 120_000);

  it("keeps serving after the VIP leaves (BACKUP) and comes back (MASTER again)", async () => {
    ip("-n", NS, "addr", "del", `${V4}/24`, "dev", "vrrp0");
    expect(await attempt(V4)).toBe(`refused ${V4}`);
    ip("-n", NS, "addr", "add", `${V4}/24`, "dev", "vrrp0");
    expect(await answers(V4)).toBe(true);
  }, 120_000);
});
