/**
 * Runs inside a network namespace for lateBind.netns.test.ts (`ip netns exec NS node --import tsx
 * lateBindProbe.ts VIP [VIP6]`): a UserspaceEngine whose VIPs are not on any interface yet (a
 * VRRP BACKUP), backends on the namespace's loopback. Prints one line per step on stdout:
 *   applied <ok> <note kinds>     after apply
 *   answer <vip> <backend>        each time a TCP connection to VIP:port got a backend's greeting
 * and on stdin takes "try <vip>" (connect once now; prints "answer" or "refused <vip>").
 */
import net from "node:net";
import readline from "node:readline";
import { UserspaceEngine } from "./userspaceEngine.ts";
import { startBackend } from "./testing.ts";
import { dest, tcpService } from "../../testing/fixtures.ts";

const vips = process.argv.slice(2);
const PORT = 8080;
const backend = await startBackend("rs-late", "127.0.0.1");
const engine = new UserspaceEngine({ addressPollMs: 50 });
const r = await engine.apply({
  services: vips.map((v) => ({ ...tcpService(v, PORT, [dest("127.0.0.1", backend.port)]), family: v.includes(":") ? ("inet6" as const) : ("inet" as const) })),
});
process.stdout.write(`applied ${r.ok} ${r.notes.map((n) => n.kind).sort().join(",")}\n`);

function tryOnce(vip: string): Promise<string | null> {
  return new Promise((resolve) => {
    const s = net.connect({ host: vip, port: PORT, timeout: 1000 });
    let got = "";
    s.on("data", (d) => {
      got += d.toString();
      if (got.includes("\n")) { s.destroy(); resolve(got.trim()); }
    });
    s.on("timeout", () => { s.destroy(); resolve(null); });
    s.on("error", () => resolve(null));
  });
}

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  const [cmd, vip] = line.trim().split(" ");
  if (cmd === "quit") {
    rl.close();
    await engine.close();
    await backend.close();
    process.exit(0);
  }
  if (cmd === "try" && vip) {
    const got = await tryOnce(vip);
    process.stdout.write(got ? `answer ${vip} ${got}\n` : `refused ${vip}\n`);
  }
});
