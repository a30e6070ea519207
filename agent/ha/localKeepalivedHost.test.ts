import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { localKeepalivedHost } from "./localKeepalivedHost.ts";
import { notifyScriptText } from "../../lvs/ha/renderVrrpConfig.ts";

const run = (file: string, args: string[]) => new Promise<void>((res, rej) => execFile(file, args, (e) => (e ? rej(e) : res())));

describe("local keepalived host: the notify path", () => {
  it("keepalived's notify script (run as keepalived runs it) reaches the agent as a line, and a new subscriber replays what is there", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ka-"));
    try {
      const host = localKeepalivedHost({ dir, binary: "/nonexistent/keepalived" });
      await host.writeFiles("global_defs {}\n", notifyScriptText(host.notifyLog));
      expect((await fs.stat(host.notifyScript)).mode & 0o777).toBe(0o755);
      const lines: Array<[string, boolean]> = [];
      host.onNotify((l, replayed) => lines.push([l, replayed]));
      await new Promise((r) => setTimeout(r, 200));
      await run(host.notifyScript, ["INSTANCE", "VI_g1", "MASTER", "200"]);
      for (let i = 0; i < 100 && lines.length < 1; i++) await new Promise((r) => setTimeout(r, 20));
      expect(lines).toHaveLength(1);
      expect(lines[0]![0]).toMatch(/^\d+ INSTANCE VI_g1 MASTER 200$/);
      expect(lines[0]![1]).toBe(false);
      await host.close();

      const again = localKeepalivedHost({ dir, binary: "/nonexistent/keepalived" });
      const replay: Array<[string, boolean]> = [];
      again.onNotify((l, r) => replay.push([l, r]));
      for (let i = 0; i < 100 && replay.length < 1; i++) await new Promise((r) => setTimeout(r, 20));
      expect(replay[0]![1]).toBe(true);
      expect(await again.running()).toBe(false);
      await again.close();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it("reports a missing keepalived as not installed", async () => {
    const host = localKeepalivedHost({ dir: os.tmpdir(), binary: "/nonexistent/keepalived" });
    expect(await host.version()).toBeNull();
  });
});
