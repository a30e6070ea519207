/**
 * `npm run build:deb`: the package is built from the agent artifact and inspected with dpkg-deb
 * (--info, --contents, extraction), and its maintainer scripts are run against a temporary root
 * (DPKG_ROOT, as `dpkg --root` sets it) with a recording `systemctl` and `ipvsadm` on PATH: enable
 * on a fresh install (start only when configured), restart on upgrade, stop on removal without
 * touching the IPVS table, purge removes the state.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { buildDeb, type DebBuild } from "./buildDeb.ts";
import { builtAgent } from "./testing.ts";
import type { AgentBuild } from "./buildAgent.ts";

let agent: AgentBuild;
let deb: DebBuild;
let dir: string;
const dpkgDeb = (...args: string[]) => {
  const r = spawnSync("dpkg-deb", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`dpkg-deb ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

beforeAll(async () => {
  agent = await builtAgent();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "lvs-agent-deb-"));
  deb = await buildDeb({ outDir: path.join(dir, "out"), agent });
}, 900_000);

afterAll(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe("the lvs-agent Debian package", () => {
  it("declares its version, dependencies and conffile (dpkg-deb --info)", () => {
    expect(path.basename(deb.deb)).toBe(`lvs-agent_${agent.version}_amd64.deb`);
    const info = dpkgDeb("--info", deb.deb);
    expect(info).toMatch(/^ Package: lvs-agent$/m);
    expect(info).toMatch(new RegExp(`^ Version: ${agent.version.replace(/[.+]/g, "\\$&")}$`, "m"));
    expect(info).toMatch(/^ Architecture: amd64$/m);
    expect(info).toMatch(/^ Depends: ipvsadm, libc6 \(>= 2\.28\), libstdc\+\+6, libgcc-s1 \| libgcc1$/m);
    expect(info).not.toMatch(/nodejs/); // a single executable: no Node needed
    expect(info).toMatch(/^ Recommends: keepalived$/m);
    for (const f of ["conffiles", "postinst", "prerm", "postrm"]) expect(info).toContain(` ${f} `);
    expect(dpkgDeb("-f", deb.deb, "Package")).toBe("lvs-agent\n");
  });

  it("holds the executable, the unit and a root-only conffile (dpkg-deb --contents)", async () => {
    const contents = dpkgDeb("--contents", deb.deb);
    const line = (p: string) => contents.split("\n").find((l) => l.endsWith(` ./${p}`) || l.includes(` ./${p} -> `));
    expect(line("usr/lib/lvs-agent/lvs-agent")).toMatch(new RegExp(`^-rwxr-xr-x root/root +${agent.bytes} `));
    expect(line("usr/lib/lvs-agent/lvs-ipvs-nl")).toMatch(/^-rwxr-xr-x root\/root /);
    expect(line("usr/lib/lvs-agent/lvs-tcp-relay")).toMatch(/^-rwxr-xr-x root\/root /);
    expect(line("usr/bin/lvs-agent")).toMatch(/^lrwxrwxrwx root\/root .* -> \.\.\/lib\/lvs-agent\/lvs-agent$/);
    expect(line("lib/systemd/system/lvs-agent.service")).toMatch(/^-rw-r--r-- root\/root /);
    expect(line("etc/lvs-agent/agent.env")).toMatch(/^-rw------- root\/root /);
    expect(line("etc/lvs-agent/")).toMatch(/^drwx------ root\/root /);

    const x = path.join(dir, "x");
    dpkgDeb("-R", deb.deb, x);
    expect(createHash("sha256").update(await fs.readFile(path.join(x, "usr/lib/lvs-agent/lvs-agent"))).digest("hex")).toBe(agent.sha256);
    expect(await fs.readFile(path.join(x, "DEBIAN/conffiles"), "utf8")).toBe("/etc/lvs-agent/agent.env\n");
    const unit = await fs.readFile(path.join(x, "lib/systemd/system/lvs-agent.service"), "utf8");
    expect(unit).toMatch(/^ExecStart=\/usr\/lib\/lvs-agent\/lvs-agent$/m);
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/lvs-agent\/agent\.env$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^Before=keepalived\.service$/m);
    const env = await fs.readFile(path.join(x, "etc/lvs-agent/agent.env"), "utf8");
    expect(env).toMatch(/^LVS_AGENT_SERVER=$/m);
    expect(env).toMatch(/^LVS_AGENT_TOKEN=$/m);
  });

  describe("maintainer scripts (DPKG_ROOT, recording systemctl and ipvsadm)", () => {
    let root: string;
    let calls: string;
    let scripts: string;
    const run = async (script: string, ...args: string[]) => {
      const r = spawnSync("sh", [path.join(scripts, script), ...args], {
        encoding: "utf8",
        env: { PATH: `${path.join(dir, "fakebin")}:/usr/bin:/bin`, DPKG_ROOT: root, CALLS: calls } as Record<string, string> as NodeJS.ProcessEnv,
      });
      expect(r.status, r.stderr).toBe(0);
      const log = await fs.readFile(calls, "utf8").catch(() => "");
      await fs.rm(calls, { force: true });
      return { out: r.stdout, calls: log.trim().split("\n").filter(Boolean) };
    };

    beforeAll(async () => {
      scripts = path.join(dir, "x", "DEBIAN");
      root = path.join(dir, "root");
      calls = path.join(dir, "calls");
      await fs.mkdir(path.join(root, "run/systemd/system"), { recursive: true });
      await fs.mkdir(path.join(root, "etc/lvs-agent"), { recursive: true });
      await fs.copyFile(path.join(dir, "x/etc/lvs-agent/agent.env"), path.join(root, "etc/lvs-agent/agent.env"));
      await fs.mkdir(path.join(dir, "fakebin"), { recursive: true });
      for (const tool of ["systemctl", "ipvsadm"]) {
        await fs.writeFile(path.join(dir, "fakebin", tool), `#!/bin/sh\necho "${tool} $*" >> "$CALLS"\n`, { mode: 0o755 });
      }
    });

    it("fresh install, not configured yet: enabled, not started, says what to set", async () => {
      const r = await run("postinst", "configure", "");
      expect(r.calls).toEqual(["systemctl daemon-reload", "systemctl enable lvs-agent.service"]);
      expect(r.out).toContain("set LVS_AGENT_SERVER and LVS_AGENT_TOKEN in /etc/lvs-agent/agent.env");
      expect((await fs.stat(path.join(root, "var/lib/lvs-agent"))).mode & 0o777).toBe(0o700);
      expect((await fs.stat(path.join(root, "etc/lvs-agent/agent.env"))).mode & 0o777).toBe(0o600);
    });

    it("fresh install with settings in place: enabled and started", async () => {
      const env = path.join(root, "etc/lvs-agent/agent.env");
      await fs.writeFile(env, (await fs.readFile(env, "utf8")).replace(/^LVS_AGENT_SERVER=$/m, "LVS_AGENT_SERVER=http://lvs.example.com:3000").replace(/^LVS_AGENT_TOKEN=$/m, "LVS_AGENT_TOKEN=lvsa_abc"));
      const r = await run("postinst", "configure", "");
      expect(r.calls).toEqual(["systemctl daemon-reload", "systemctl enable lvs-agent.service", "systemctl start lvs-agent.service"]);
    });

    it("upgrade: the old agent keeps running through prerm, postinst restarts it (if it runs)", async () => {
      expect((await run("prerm", "upgrade", "0.2.0")).calls).toEqual([]);
      expect((await run("postinst", "configure", "0.0.9")).calls).toEqual(["systemctl daemon-reload", "systemctl try-restart lvs-agent.service"]);
    });

    it("removal stops and disables the service and never touches the IPVS table; purge removes the state", async () => {
      const rm = await run("prerm", "remove");
      expect(rm.calls).toEqual(["systemctl stop lvs-agent.service", "systemctl disable lvs-agent.service"]);
      expect((await run("postrm", "remove")).calls).toEqual(["systemctl daemon-reload"]);
      await fs.writeFile(path.join(root, "var/lib/lvs-agent/state.json"), "{}");
      expect((await run("postrm", "purge")).calls).toEqual(["systemctl daemon-reload"]);
      await expect(fs.stat(path.join(root, "var/lib/lvs-agent"))).rejects.toThrow();
      await expect(fs.stat(path.join(root, "etc/lvs-agent"))).rejects.toThrow();
      const all = await Promise.all(["postinst", "prerm", "postrm"].map((f) => fs.readFile(path.join(scripts, f), "utf8")));
      expect(all.join("\n")).not.toMatch(/^[^#]*ipvsadm/m);
    });
  });
});
