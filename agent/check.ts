/**
 * `lvs-agent check`: is this machine ready to be a director? Tests without connecting anywhere:
 * privileges (root or CAP_NET_ADMIN), ipvsadm installed and working, kernel IPVS (/proc/net/ip_vs,
 * looked at again after `ipvsadm -Ln`, which loads ip_vs), keepalived when HA is used, the state dir.
 * Prints one line per item (`ok`, `warn`, `FAIL`) with what to do about it; exit 1 when something
 * required is missing, 0 otherwise, 2 for bad usage. System access goes through CheckProbe (tests: a fake).
 */
import fs from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { nodeExec, type Exec } from "./engines/ipvs/exec.ts";

export interface CheckProbe {
  exec: Exec;
  exists(p: string): Promise<boolean>;
  readFile(p: string): Promise<string | null>;
  /** can this process create files in p (an existing directory)? */
  writable(p: string): Promise<boolean>;
  uid: number;
}

export interface CheckOptions {
  engine: "ipvs" | "userspace" | "auto";
  /** keepalived is required (HA groups); default: when /etc/keepalived/keepalived.conf exists */
  ha: boolean | null;
  ipvsadm: string;
  keepalived: string;
  stateDir: string;
}

export type CheckStatus = "ok" | "warn" | "fail";
export interface CheckItem {
  name: string;
  status: CheckStatus;
  detail: string;
}

const PROC = "/proc/net/ip_vs";
const CAP_NET_ADMIN = 12;
export const KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf";

/** CapEff from /proc/self/status has bit 12 (CAP_NET_ADMIN) set. */
export function hasNetAdmin(status: string | null): boolean {
  const m = status && /^CapEff:\s*([0-9a-f]+)\s*$/m.exec(status);
  return !!m && (BigInt(`0x${m[1]}`) & (1n << BigInt(CAP_NET_ADMIN))) !== 0n;
}

async function tryRun(exec: Exec, argv: string[]): Promise<{ code: number; out: string } | { error: string }> {
  try {
    const r = await exec.run(argv);
    return { code: r.code, out: (r.stdout + r.stderr).trim() };
  } catch (e) {
    return { error: (e as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : (e as Error).message };
  }
}

export async function runChecks(o: CheckOptions, p: CheckProbe): Promise<CheckItem[]> {
  const items: CheckItem[] = [];
  // what the ipvs engine needs is required for --engine ipvs, a warning under auto (it falls back), skipped for userspace
  const ipvsNeed: CheckStatus | null = o.engine === "ipvs" ? "fail" : o.engine === "auto" ? "warn" : null;
  const fallback = o.engine === "auto" ? " (auto: the agent falls back to the userspace engine)" : "";

  const netAdmin = p.uid === 0 || hasNetAdmin(await p.readFile("/proc/self/status"));
  items.push(netAdmin
    ? { name: "privileges", status: "ok", detail: p.uid === 0 ? "running as root" : `uid ${p.uid} with CAP_NET_ADMIN` }
    : { name: "privileges", status: ipvsNeed ?? "warn", detail: `uid ${p.uid} without CAP_NET_ADMIN: ipvsadm cannot change the IPVS table; run as root (the lvs-agent service does)${fallback}` });

  if (ipvsNeed) {
    const ver = await tryRun(p.exec, [o.ipvsadm, "--version"]);
    const installed = !("error" in ver);
    items.push(installed
      ? { name: "ipvsadm", status: "ok", detail: ver.out.split("\n")[0] || o.ipvsadm }
      : { name: "ipvsadm", status: ipvsNeed, detail: `${o.ipvsadm}: ${ver.error}: install it (apt-get install ipvsadm / dnf install ipvsadm)${fallback}` });
    const loadedBefore = await p.exists(PROC);
    const list = installed ? await tryRun(p.exec, [o.ipvsadm, "-Ln"]) : null;
    const loaded = loadedBefore || (await p.exists(PROC));
    if (loaded) {
      const head = (await p.readFile(PROC))?.split("\n")[0]?.trim();
      items.push({ name: "kernel IPVS", status: "ok", detail: `${PROC}: ${head || "present"}${loadedBefore ? "" : " (ip_vs loaded by ipvsadm)"}` });
    } else {
      items.push({ name: "kernel IPVS", status: ipvsNeed, detail: `${PROC} missing${installed ? ", also after ipvsadm -Ln" : ""}: load it (modprobe ip_vs); the kernel needs CONFIG_IP_VS${fallback}` });
    }
    if (list && !("error" in list)) {
      items.push(list.code === 0
        ? { name: "ipvsadm -Ln", status: "ok", detail: "the IPVS table can be read" }
        : { name: "ipvsadm -Ln", status: ipvsNeed, detail: `exit ${list.code}: ${list.out.slice(0, 200)}${fallback}` });
    }
  }

  const ha = o.ha ?? (await p.exists(KEEPALIVED_CONF));
  const ka = await tryRun(p.exec, [o.keepalived, "--version"]);
  if (!("error" in ka) && ka.code === 0) {
    items.push({ name: "keepalived", status: "ok", detail: ka.out.split("\n")[0] || o.keepalived });
  } else {
    const why = "error" in ka ? ka.error : `exit ${ka.code}: ${ka.out.slice(0, 200)}`;
    items.push(ha
      ? { name: "keepalived", status: "fail", detail: `${o.keepalived}: ${why}: HA is used (--ha or ${KEEPALIVED_CONF}): install keepalived` }
      : { name: "keepalived", status: "warn", detail: `${o.keepalived}: ${why}: needed only for HA director pairs (apt-get install keepalived)` });
  }

  let dir = path.resolve(o.stateDir);
  while (!(await p.exists(dir)) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const canWrite = await p.writable(dir);
  items.push(canWrite
    ? { name: "state dir", status: "ok", detail: dir === path.resolve(o.stateDir) ? `${o.stateDir} is writable` : `${o.stateDir} can be created` }
    : { name: "state dir", status: "fail", detail: `${o.stateDir}: ${dir} is not writable for uid ${p.uid} (the last applied table is kept there)` });
  return items;
}

export function formatChecks(items: CheckItem[]): string {
  const label: Record<CheckStatus, string> = { ok: "ok  ", warn: "warn", fail: "FAIL" };
  const lines = items.map((i) => `${label[i.status]}  ${i.name}: ${i.detail}`);
  const failed = items.filter((i) => i.status === "fail").length;
  lines.push(failed ? `${failed} required item${failed === 1 ? "" : "s"} missing` : "ready");
  return lines.join("\n") + "\n";
}

export const CHECK_USAGE = `usage: lvs-agent check [--engine ipvs|auto|userspace] [--ha] [--ipvsadm PATH] [--keepalived PATH] [--state-dir DIR]
  Tests this machine as a director without connecting to the console; exit 1 when something required is missing.
  --engine      what to check for (default LVS_AGENT_ENGINE, else ipvs): ipvs requires kernel IPVS,
                ipvsadm and CAP_NET_ADMIN; auto only warns (the agent falls back to userspace)
  --ha          keepalived is required (default: when ${KEEPALIVED_CONF} exists)
  --keepalived  the keepalived binary (default keepalived)
`;

export function nodeCheckProbe(): CheckProbe {
  return {
    exec: nodeExec({ timeoutMs: 10_000 }),
    exists: (f) => fs.access(f).then(() => true, () => false),
    readFile: (f) => fs.readFile(f, "utf8").catch(() => null),
    writable: (d) => fs.access(d, fs.constants.W_OK).then(() => true, () => false),
    uid: process.getuid?.() ?? -1,
  };
}

/** CLI: the words after `check`. */
export async function runCheck(args: string[], env: NodeJS.ProcessEnv = process.env, probe: CheckProbe = nodeCheckProbe(), out: NodeJS.WritableStream = process.stdout): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        engine: { type: "string" }, ha: { type: "boolean" }, ipvsadm: { type: "string" }, keepalived: { type: "string" },
        "state-dir": { type: "string" }, help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`lvs-agent check: ${(e as Error).message}\n${CHECK_USAGE}`);
    return 2;
  }
  if (values.help) {
    out.write(CHECK_USAGE);
    return 0;
  }
  const engine = values.engine ?? (env.LVS_AGENT_ENGINE || "ipvs");
  if (engine !== "ipvs" && engine !== "auto" && engine !== "userspace") {
    process.stderr.write(`lvs-agent check: --engine must be ipvs, auto or userspace (got ${engine})\n`);
    return 2;
  }
  const items = await runChecks({
    engine, ha: values.ha ?? null,
    ipvsadm: values.ipvsadm ?? (env.LVS_AGENT_IPVSADM || "ipvsadm"),
    keepalived: values.keepalived ?? "keepalived",
    stateDir: values["state-dir"] ?? (env.LVS_AGENT_STATE_DIR || "/var/lib/lvs-agent"),
  }, probe);
  out.write(`lvs-agent check (${engine} engine)\n${formatChecks(items)}`);
  return items.some((i) => i.status === "fail") ? 1 : 0;
}
