import { afterEach, describe, expect, it } from "vitest";
import fs from "node:fs/promises";
import os from "node:os";
import net from "node:net";
import path from "node:path";
import { PassThrough } from "node:stream";
import { startStandalone } from "./standalone.ts";
import { connect, freePort, startBackend } from "./engines/userspace/testing.ts";
import { bigRules } from "../bench/reload/bigRules.ts";
import { startGapProbe } from "../bench/reload/gapProbe.ts";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

// Issue 12 item 8: SIGHUP of a big rules file stopped all forwarding while the file was parsed and
// applied on the forwarding thread. The reply gap is measured relative to the reload's own duration
// (one run, no wall-clock bound): parsing inline makes one gap cover nearly all of it.
describe("standalone reload of a big rules file", () => {
  it("keeps an established connection answering while the file is parsed and applied", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "lvs-reload-"));
    const rules = path.join(dir, "big.rules");
    const vip = "127.0.11.9";
    const port = await freePort(vip);
    const bigPort = await freePort("127.100.0.1");
    const b = await startBackend("echo", "127.0.22.9");
    const head = `-A -t ${vip}:${port} -s rr\n-a -t ${vip}:${port} -r 127.0.22.9:${b.port} -m -w 1`;
    const size = { services: 1200, reals: 12, port: bigPort, head };
    await fs.writeFile(rules, bigRules(size));
    const err = new PassThrough().resume();
    const s = await startStandalone({ rules, err, out: new PassThrough().resume(), signals: false, engine: { tickMs: 0 } });
    cleanup.push(async () => {
      await s.stop();
      await b.close();
      await fs.rm(dir, { recursive: true });
    });
    const c = await connect(vip, port);
    await fs.writeFile(rules, bigRules({ ...size, variant: 1 })); // every weight changes: every service is edited
    const probe = startGapProbe(c.socket);
    const reloaded = await s.reload();
    const f = probe.stop();
    expect(reloaded).toBe(true);
    expect((await s.engine.read()).services.find((x) => x.protocol === "tcp" && x.port === bigPort)?.destinations[0]?.weight).toBe(2);
    expect(f.roundTrips).toBeGreaterThan(20);
    expect(f.longestGapMs / f.durationMs).toBeLessThan(0.5);
    await c.close();
  }, 120_000);

  it("plans a service whose listen failed again on the next reload, even when the file did not change", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "lvs-reload-"));
    const rules = path.join(dir, "r.rules");
    const vip = "127.0.11.10";
    const port = await freePort(vip);
    const squatter = net.createServer().listen(port, vip);
    await new Promise((r) => squatter.once("listening", r));
    const b = await startBackend("late", "127.0.22.10");
    await fs.writeFile(rules, `-A -t ${vip}:${port} -s rr\n-a -t ${vip}:${port} -r 127.0.22.10:${b.port} -m -w 1\n`);
    const err = new PassThrough();
    let text = "";
    err.on("data", (d) => (text += d.toString()));
    const s = await startStandalone({ rules, err, out: new PassThrough().resume(), signals: false, engine: { tickMs: 0 } });
    cleanup.push(async () => {
      await s.stop();
      await b.close();
      await fs.rm(dir, { recursive: true });
    });
    expect(text).toMatch(/listen .*EADDRINUSE/);
    await new Promise((r) => squatter.close(r));
    expect(await s.reload()).toBe(true);
    expect((await connect(vip, port)).name).toBe("late");
  });
});

