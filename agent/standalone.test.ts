import { afterEach, describe, expect, it } from "vitest";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { startStandalone, type Standalone } from "./standalone.ts";
import { connect, freePort, startBackend, type Backend } from "./engines/userspace/testing.ts";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

function sink() {
  const s = new PassThrough();
  let text = "";
  s.on("data", (d) => (text += d.toString()));
  return { s, text: () => text };
}

describe("standalone mode", () => {
  it("forwards a rules file, prints --stats, reloads live, keeps the previous table on a malformed file", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "lvs-standalone-"));
    const rules = path.join(dir, "ipvsadm.rules");
    const vip = "127.0.11.1";
    const port = await freePort(vip);
    const b1: Backend = await startBackend("rs1", "127.0.22.1");
    const b2: Backend = await startBackend("rs2", "127.0.22.2");
    await fs.writeFile(rules, `-A -t ${vip}:${port} -s rr\n-a -t ${vip}:${port} -r 127.0.22.1:${b1.port} -m -w 1\n`);
    const out = sink();
    const err = sink();
    const s: Standalone = await startStandalone({ rules, out: out.s, err: err.s, signals: false, engine: { tickMs: 0 } });
    cleanup.push(async () => {
      await s.stop();
      await b1.close();
      await b2.close();
      await fs.rm(dir, { recursive: true });
    });
    const c1 = await connect(vip, port);
    expect(c1.name).toBe("rs1");
    await s.printStats();
    expect(out.text()).toContain("Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes");
    expect(out.text()).toMatch(new RegExp(`TCP  ${vip.replace(/\./g, "\\.")}:${port} +1 `));

    await fs.writeFile(rules, `-A -t ${vip}:${port} -s rr\n-a -t ${vip}:${port} -r 127.0.22.2:${b2.port} -m -w 1\n`);
    expect(await s.reload()).toBe(true);
    expect((await connect(vip, port)).name).toBe("rs2");
    expect(await c1.echo("kept")).toBe("kept"); // established connection to the removed server survives

    await fs.writeFile(rules, `-A -t ${vip}:${port} -s rr\n-a -t ${vip}:${port} -r 127.0.22.1 -w nope\n`);
    expect(await s.reload()).toBe(false);
    expect(err.text()).toMatch(new RegExp(`${rules.replace(/[.\\/]/g, "\\$&")}:2: `));
    expect((await connect(vip, port)).name).toBe("rs2");
    await c1.close();
  });

  it("refuses to start on a malformed file with FILE:LINE", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "lvs-standalone-"));
    const rules = path.join(dir, "bad.rules");
    await fs.writeFile(rules, "-A -t 127.0.11.2:80 -s rr\n-Q\n");
    await expect(startStandalone({ rules, signals: false, err: sink().s })).rejects.toThrow(`${rules}:2:`);
    await fs.rm(dir, { recursive: true });
  });
});
