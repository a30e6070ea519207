/**
 * Exec checks for real: programs installed by the director's administrator in a checks directory,
 * run without a shell as an unprivileged user (these tests run as root and drop to `nobody`), with a
 * clean environment and a timeout that kills the whole process group.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { HealthCheck } from "../../lvs/model.ts";
import { createExecChecker, listChecks } from "./exec.ts";

const timing = { intervalMs: 1000, timeoutMs: 500, rise: 1, fall: 1, onFailure: "quiesce" as const };
const check = (name: string, args: string[] = []): HealthCheck => ({ kind: "exec", check: name, args, ...timing });
const target = { address: "127.0.40.1", port: 80 };
const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)("exec checks (as root, dropping to nobody)", () => {
  let base: string;
  let dir: string;
  let out: string;

  const install = async (name: string, body: string, mode = 0o755) => {
    const p = path.join(dir, name);
    await fs.writeFile(p, `#!/bin/sh\n${body}\n`);
    await fs.chmod(p, mode);
    return p;
  };

  beforeAll(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), "lvs-checks-"));
    await fs.chmod(base, 0o755);
    dir = path.join(base, "checks.d");
    await fs.mkdir(dir, { mode: 0o755 });
    out = path.join(base, "out");
    await fs.mkdir(out);
    await fs.chmod(out, 0o777);
    await install("whoami", 'id -un > "$3"; env >> "$3"; [ "$1" = 127.0.40.1 ] && [ "$2" = 80 ]');
    await install("fail3", "exit 3");
    await install("spawner", 'sleep 30 & echo $! > "$3"; wait');
    await install("loose", "exit 0", 0o777);
    await fs.writeFile(path.join(dir, "README"), "not executable");
  });
  afterAll(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });

  it("runs the named program as the unprivileged user with only the documented environment", async () => {
    process.env.LVS_AGENT_TOKEN = "secret-agent-token";
    try {
      const exec = createExecChecker({ dir, user: "nobody" });
      const file = path.join(out, "whoami.txt");
      expect(await exec.check(target, check("whoami", [file]), 5000)).toEqual({ ok: true, message: "exit 0" });
      const [user, ...env] = (await fs.readFile(file, "utf8")).trim().split("\n");
      expect(user).toBe("nobody");
      const names = env.map((l) => l.split("=")[0]).sort();
      expect(names.filter((n) => !["PWD", "SHLVL", "_", "OLDPWD"].includes(n!))).toEqual(["LVS_CHECK_TIMEOUT_MS", "LVS_RS_ADDRESS", "LVS_RS_PORT", "PATH"]);
      expect(env.join("\n")).not.toContain("secret-agent-token");
      expect(env).toContain("LVS_RS_ADDRESS=127.0.40.1");
    } finally {
      delete process.env.LVS_AGENT_TOKEN;
    }
  });

  it("reports the exit code, refuses unknown, unsafe and writable-by-others programs", async () => {
    const exec = createExecChecker({ dir, user: "nobody" });
    expect(await exec.check(target, check("fail3"), 5000)).toEqual({ ok: false, message: "exit 3" });
    expect(await exec.check(target, check("absent"), 5000)).toMatchObject({ ok: false, message: expect.stringContaining("not installed") });
    expect(await exec.check(target, check("../../bin/sh"), 5000)).toMatchObject({ ok: false, message: expect.stringContaining("not a check name") });
    expect(await exec.check(target, check("loose"), 5000)).toMatchObject({ ok: false, message: expect.stringContaining("writable by") });
    expect(await exec.check(target, check("README"), 5000)).toMatchObject({ ok: false, message: expect.stringContaining("not executable") });
  });

  it("kills the whole process group on timeout", async () => {
    const exec = createExecChecker({ dir, user: "nobody" });
    const file = path.join(out, "spawner.pid");
    expect(await exec.check(target, check("spawner", [file]), 300)).toEqual({ ok: false, message: "timeout after 300 ms" });
    const pid = Number((await fs.readFile(file, "utf8")).trim());
    expect(pid).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100));
    // gone, or a zombie nobody reaped yet (a container's pid 1 may not reap): not running either way
    const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    const alive = stat !== "" && stat.split(") ")[1]?.[0] !== "Z";
    expect(alive).toBe(false);
  });

  it("refuses to run checks as root unless explicitly allowed", async () => {
    const exec = createExecChecker({ dir, user: "root" });
    expect(await exec.check(target, check("fail3"), 5000)).toMatchObject({ ok: false, message: expect.stringContaining("root") });
    const allowed = createExecChecker({ dir, user: "root", allowRoot: true });
    expect(await allowed.check(target, check("fail3"), 5000)).toEqual({ ok: false, message: "exit 3" });
  });

  it("lists the installed checks that would run (secure, executable)", async () => {
    expect(await listChecks(dir)).toEqual(["fail3", "spawner", "whoami"]);
    expect(await listChecks(path.join(base, "missing"))).toEqual([]);
  });
});
