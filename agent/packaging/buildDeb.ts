/**
 * `npm run build:deb`: a Debian package of the built agent (agent/packaging/buildAgent.ts), with dpkg-deb.
 *
 *   /usr/lib/lvs-agent/lvs-agent        the single executable (no Node needed)
 *   /usr/bin/lvs-agent                  symlink to it
 *   /usr/lib/lvs-agent/lvs-ipvs-nl      the netlink helper for big IPVS tables (static; built with gcc)
 *   /usr/lib/lvs-agent/lvs-tcp-relay    the userspace engine's native relay for established TCP
 *                                       connections (static; built with gcc)
 *   /lib/systemd/system/lvs-agent.service
 *   /etc/lvs-agent/agent.env            conffile, mode 0600 (server URL and token go here)
 *   DEBIAN/{control,conffiles,postinst,prerm,postrm}
 *
 * Depends: ipvsadm and the C/C++ runtime the executable links; Recommends: keepalived. postinst
 * enables it on a fresh install and restarts it on upgrade; removal stops it and leaves the IPVS
 * table alone. Reproducible: every mtime is SOURCE_DATE_EPOCH (default: the commit's time), owner
 * root (--root-owner-group), so the same artifact gives the same .deb.
 * Output: dist/deb/lvs-agent_<version>_<arch>.deb
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { buildAgent, ROOT, type AgentBuild } from "./buildAgent.ts";
import { renderUnit } from "./templates.ts";
import { buildIpvsHelper } from "../engines/ipvs/native/buildHelper.ts";
import { buildTcpRelay } from "../engines/userspace/native/buildRelay.ts";

export const DEFAULT_DEB_DIR = path.join(ROOT, "dist/deb");

const DEB_ARCH: Record<string, string> = { x86_64: "amd64", aarch64: "arm64", armv7l: "armhf", ppc64le: "ppc64el", s390x: "s390x", riscv64: "riscv64" };

export interface DebBuild {
  deb: string;
  version: string;
  arch: string;
}

function sourceDateEpoch(): number {
  if (process.env.SOURCE_DATE_EPOCH && /^\d+$/.test(process.env.SOURCE_DATE_EPOCH)) return Number(process.env.SOURCE_DATE_EPOCH);
  const r = spawnSync("git", ["log", "-1", "--format=%ct"], { cwd: ROOT, encoding: "utf8" });
  return r.status === 0 && /^\d+$/.test(r.stdout.trim()) ? Number(r.stdout.trim()) : 0;
}

export function controlFile(o: { version: string; arch: string; installedKiB: number }): string {
  return [
    "Package: lvs-agent",
    `Version: ${o.version}`,
    `Architecture: ${o.arch}`,
    "Maintainer: LVS Console <lvs-console@localhost>",
    `Installed-Size: ${o.installedKiB}`,
    "Depends: ipvsadm, libc6 (>= 2.28), libstdc++6, libgcc-s1 | libgcc1",
    "Recommends: keepalived",
    "Section: net",
    "Priority: optional",
    "Description: LVS Console director agent (IPVS)",
    " Runs on each Linux Virtual Server director: applies the IPVS table the LVS Console",
    " asks for (kernel IPVS through ipvsadm, or a userspace TCP/UDP engine), runs the",
    " health checks and reports statistics. Set LVS_AGENT_SERVER and LVS_AGENT_TOKEN in",
    " /etc/lvs-agent/agent.env, then: systemctl restart lvs-agent",
    "",
  ].join("\n");
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [dir];
  for (const e of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

export async function buildDeb(o: { outDir?: string; agent?: AgentBuild; log?: (line: string) => void } = {}): Promise<DebBuild> {
  const log = o.log ?? (() => undefined);
  const agent = o.agent ?? (await buildAgent({ log }));
  const arch = DEB_ARCH[agent.arch];
  if (!arch) throw new Error(`no Debian architecture for ${agent.arch}`);
  const outDir = o.outDir ?? DEFAULT_DEB_DIR;
  await fs.mkdir(outDir, { recursive: true });
  const stage = await fs.mkdtemp(path.join(outDir, ".stage-"));
  try {
    const here = path.join(ROOT, "agent/packaging");
    const put = async (rel: string, data: string | Buffer, mode: number) => {
      const p = path.join(stage, rel);
      await fs.mkdir(path.dirname(p), { recursive: true, mode: 0o755 });
      await fs.writeFile(p, data);
      await fs.chmod(p, mode);
    };
    await put("usr/lib/lvs-agent/lvs-agent", await fs.readFile(agent.artifact), 0o755);
    const helper = buildIpvsHelper(path.join(outDir, ".lvs-ipvs-nl"));
    await put("usr/lib/lvs-agent/lvs-ipvs-nl", await fs.readFile(helper), 0o755);
    await put("usr/lib/lvs-agent/lvs-tcp-relay", await fs.readFile(buildTcpRelay(path.join(outDir, ".lvs-tcp-relay"))), 0o755);
    await fs.mkdir(path.join(stage, "usr/bin"), { recursive: true });
    await fs.symlink("../lib/lvs-agent/lvs-agent", path.join(stage, "usr/bin/lvs-agent"));
    await put("lib/systemd/system/lvs-agent.service", renderUnit(await fs.readFile(path.join(here, "lvs-agent.service"), "utf8"), "/usr/lib/lvs-agent"), 0o644);
    await put("etc/lvs-agent/agent.env", await fs.readFile(path.join(here, "agent.env")), 0o600);
    await fs.chmod(path.join(stage, "etc/lvs-agent"), 0o700);
    for (const s of ["postinst", "prerm", "postrm"]) await put(`DEBIAN/${s}`, await fs.readFile(path.join(here, "debian", s)), 0o755);
    await put("DEBIAN/conffiles", "/etc/lvs-agent/agent.env\n", 0o644);
    const installedKiB = Math.ceil((agent.bytes + (await fs.stat(helper)).size + 16384) / 1024);
    await put("DEBIAN/control", controlFile({ version: agent.version, arch, installedKiB }), 0o644);
    // every directory 0755 except /etc/lvs-agent; every mtime the same
    const epoch = sourceDateEpoch();
    for (const p of (await walk(stage)).reverse()) {
      const st = await fs.lstat(p);
      if (st.isDirectory() && p !== path.join(stage, "etc/lvs-agent")) await fs.chmod(p, 0o755);
      if (!st.isSymbolicLink()) await fs.utimes(p, epoch, epoch);
      else await fs.lutimes(p, epoch, epoch);
    }
    const deb = path.join(outDir, `lvs-agent_${agent.version}_${arch}.deb`);
    const tmp = `${deb}.tmp-${process.pid}`;
    log(`dpkg-deb --build (${agent.version}, ${arch})`);
    const r = spawnSync("dpkg-deb", ["--root-owner-group", "-Zgzip", "-z6", "--build", stage, tmp], {
      encoding: "utf8", env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) },
    });
    if (r.error) throw new Error(`dpkg-deb: ${r.error.message} (apt-get install dpkg)`);
    if (r.status !== 0) throw new Error(`dpkg-deb --build failed:\n${r.stderr}${r.stdout}`);
    await fs.rename(tmp, deb);
    log(deb);
    return { deb, version: agent.version, arch };
  } finally {
    await fs.rm(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  buildDeb({ log: (l) => process.stderr.write(`[build:deb] ${l}\n`) }).then(
    (b) => process.stdout.write(`${b.deb}\n`),
    (e: Error) => {
      process.stderr.write(`[build:deb] ${e.message}\n`);
      process.exit(1);
    },
  );
}
