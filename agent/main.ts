/**
 * `lvs-agent` command line.
 *
 *   lvs-agent --server http(s)://HOST:PORT --token TOKEN [--engine auto|ipvs|userspace] [--state-dir DIR]
 *             [--boot-rules PATH|none] [--ipvsadm PATH] [--insecure] [--heal-drift]
 *   lvs-agent run --engine userspace --rules FILE …      (standalone, no control plane: agent/standalone.ts)
 *
 *   lvs-agent check …                                    (is this machine ready? agent/check.ts)
 *   lvs-agent --version
 *
 * Every flag may also come from an LVS_AGENT_* variable (USAGE lists them; the systemd unit reads
 * them from /etc/lvs-agent/agent.env); the token also from --token-file (keeps it out of `ps`).
 * The process runs until SIGINT/SIGTERM; it never exits because the control plane is away or
 * refuses it. Exit codes: 0 after a signal, 2 for bad usage, 1 if the engine cannot start.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import os from "node:os";
import { consoleLog } from "./log.ts";
import { HaSupervisor } from "./ha/haSupervisor.ts";
import { localKeepalivedHost } from "./ha/localKeepalivedHost.ts";
import { nodeExec } from "./engines/ipvs/exec.ts";
import { IpRealServerSystem } from "./realserver/ipRealServerSystem.ts";
import { runAgent } from "./runAgent.ts";
import { serverUrls } from "./link.ts";
import { createEngine, type EngineChoice } from "./createEngine.ts";
import { UserspaceEngine } from "./engines/userspace/userspaceEngine.ts";
import { DEFAULT_CHECK_USER, DEFAULT_CHECKS_DIR } from "./health/exec.ts";
import { AGENT_VERSION } from "./version.ts";
import { PROTOCOL_VERSION } from "../lvs/protocol/agent.ts";
import { REALSERVER_TOKEN_PREFIX } from "../lvs/protocol/realServer.ts";

export const USAGE = `usage:
  lvs-agent --server http(s)://HOST:PORT --token TOKEN [--engine auto|ipvs|userspace] [--state-dir DIR]
            [--boot-rules PATH|none] [--ipvsadm PATH] [--insecure] [--heal-drift]
            [--checks-dir DIR] [--check-user USER] [--check-allow-root] [--workers N]
  lvs-agent run --engine userspace --rules FILE [--stats-interval SECONDS] [--exact] [--workers N]
                standalone, without a control plane: forwards an ipvsadm rules file (SIGHUP reloads it,
                SIGUSR2 prints ipvsadm -Ln --stats)
  lvs-agent --role realserver --server URL --token TOKEN [--apply auto|on-request]
                the real-server role connected to the console: prepares and verifies this host
                for DR/TUN/NAT as the console's topology says (lvs-agent realserver --help)
  lvs-agent realserver --topology FILE --rip ADDR [--verify|--undo|--restore|--script]
                the same from a topology file, without a console
  lvs-agent check [--engine ipvs|auto|userspace] [--ha]   is this machine ready? (lvs-agent check --help)
  lvs-agent --version                                      version and agent protocol version

  --server      control plane URL (the agent connects to /api/agent); repeat it or give a
                comma-separated list for several instances: after a lost connection the next is tried
  --token       agent token shown once when the director was enrolled
  --token-file  read the token from this file (keeps it out of \`ps\`)
  --engine      auto (default): ipvs if the kernel has IPVS and ipvsadm works, else userspace
  --state-dir   where the last applied table is kept for fail-static restarts (default /var/lib/lvs-agent)
  --boot-rules  ipvs only: also write the table here for the distribution's ipvsadm service
                (default /etc/ipvsadm.rules, /etc/sysconfig/ipvsadm on Red Hat; "none" to skip)
  --ipvsadm     the ipvsadm binary (default ipvsadm, from PATH)
  --insecure    accept a self-signed TLS certificate from the control plane
  --heal-drift  put back hand-made ipvsadm changes to managed services every 30 s (default: leave
                them, the console shows them as drift to re-apply or import)
  --checks-dir  exec health checks: the programs the console may name (default /etc/lvs-agent/checks.d);
                each must be owned by root and not writable by others
  --check-user  user the exec checks run as (default nobody); root is refused unless --check-allow-root
  --check-allow-root  let exec checks run as root
  --workers     userspace engine: N processes (1..64, default 1) share the listening sockets, the kernel
                spreads new connections; TCP without -p/-x/-y runs on all (a scheduler per worker),
                persistence, thresholds and UDP on the first (agent/engines/userspace/README.md)
  -h, --help    this text;  -V, --version  the version

Environment (a flag on the command line wins; lvs-agent.service reads them from /etc/lvs-agent/agent.env):
  LVS_AGENT_SERVER      --server (comma-separated for several)
  LVS_AGENT_TOKEN       --token
  LVS_AGENT_TOKEN_FILE  --token-file
  LVS_AGENT_ENGINE      --engine
  LVS_AGENT_STATE_DIR   --state-dir
  LVS_AGENT_BOOT_RULES  --boot-rules
  LVS_AGENT_IPVSADM     --ipvsadm
  LVS_AGENT_INSECURE    1 = --insecure
  LVS_AGENT_HEAL_DRIFT  1 = --heal-drift
  LVS_AGENT_WORKERS     --workers
  LVS_AGENT_CHECKS_DIR  --checks-dir
  LVS_AGENT_CHECK_USER  --check-user
  LVS_AGENT_APPLY       real-server role: auto (default) or on-request (a real server's token, lvsr_…,
                        starts the real-server role: install.sh works the same for both roles)

Exit codes: 0 after SIGINT/SIGTERM (kernel rules stay), 1 when the engine cannot start, 2 for bad
usage or settings. It never exits because the control plane is away or refuses it: it retries.
`;

/** `lvs-agent VERSION (protocol N; node vX)`: one line, the version first. */
export function versionLine(): string {
  return `lvs-agent ${AGENT_VERSION} (protocol ${PROTOCOL_VERSION}; node ${process.version})\n`;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (argv[0] === "--version" || argv[0] === "-V" || argv[0] === "version") {
    process.stdout.write(versionLine());
    return 0;
  }
  if (argv[0] === "check") {
    const { runCheck } = await import("./check.ts");
    return runCheck(argv.slice(1), env);
  }
  if (argv[0] === "realserver") {
    const { runRealServerCli } = await import("./realserver/realServerCli.ts");
    return runRealServerCli(argv.slice(1));
  }
  // `--role realserver` (same program, same link and token kind as a director): the real-server role
  const role = argv.findIndex((a) => a === "--role" || a.startsWith("--role="));
  if (role >= 0) {
    const value = argv[role]!.includes("=") ? argv[role]!.slice("--role=".length) : argv[role + 1];
    const rest = argv.filter((_, i) => i !== role && !(i === role + 1 && !argv[role]!.includes("=")));
    if (value === "realserver") {
      const { runRealServerCli } = await import("./realserver/realServerCli.ts");
      return runRealServerCli(rest);
    }
    if (value !== "director") {
      process.stderr.write(`lvs-agent: --role must be director or realserver (got ${value ?? "nothing"})\n${USAGE}`);
      return 2;
    }
    argv = rest;
  }
  if (argv[0] === "run") {
    const { runStandalone } = await import("./standalone.ts");
    return runStandalone(argv.slice(1));
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        server: { type: "string", multiple: true }, token: { type: "string" }, "token-file": { type: "string" },
        engine: { type: "string" }, "state-dir": { type: "string" }, "boot-rules": { type: "string" }, ipvsadm: { type: "string" },
        insecure: { type: "boolean" }, "heal-drift": { type: "boolean" }, help: { type: "boolean", short: "h" }, version: { type: "boolean", short: "V" },
        "checks-dir": { type: "string" }, "check-user": { type: "string" }, "check-allow-root": { type: "boolean", default: false },
        workers: { type: "string" },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`lvs-agent: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    process.stdout.write(versionLine());
    return 0;
  }
  const problems: string[] = [];
  const e = (name: string) => env[name] || undefined; // an empty line in agent.env counts as unset
  const flag = (name: string) => {
    const v = e(name);
    if (v !== undefined && v !== "0" && v !== "1") problems.push(`${name} must be 0 or 1 (got ${v})`);
    return v === "1";
  };
  if (!values.server?.length && e("LVS_AGENT_SERVER")) values.server = [e("LVS_AGENT_SERVER")!];
  values.engine ??= e("LVS_AGENT_ENGINE") ?? "auto";
  values["state-dir"] ??= e("LVS_AGENT_STATE_DIR") ?? "/var/lib/lvs-agent";
  values["boot-rules"] ??= e("LVS_AGENT_BOOT_RULES");
  values.ipvsadm ??= e("LVS_AGENT_IPVSADM") ?? "ipvsadm";
  values.insecure ??= flag("LVS_AGENT_INSECURE");
  values["heal-drift"] ??= flag("LVS_AGENT_HEAL_DRIFT");
  values.workers ??= e("LVS_AGENT_WORKERS") ?? "1";
  const workers = Number(values.workers);
  if (!/^\d+$/.test(values.workers) || workers < 1 || workers > 64) problems.push(`--workers must be a whole number 1..64 (got ${values.workers})`);
  const tokenFile = values["token-file"] ?? e("LVS_AGENT_TOKEN_FILE");
  let token = values.token ?? e("LVS_AGENT_TOKEN");
  if (!token && tokenFile) {
    try {
      token = (await fs.readFile(tokenFile, "utf8")).trim();
      if (!token) problems.push(`--token-file ${tokenFile} is empty`);
    } catch (err) {
      problems.push(`--token-file ${tokenFile}: ${(err as Error).message}`);
    }
  }
  // a real server's token (install.sh writes the same agent.env for both roles): the real-server role
  if (token?.startsWith(REALSERVER_TOKEN_PREFIX) && values.server?.length) {
    const { runRealServerCli } = await import("./realserver/realServerCli.ts");
    const apply = e("LVS_AGENT_APPLY");
    return runRealServerCli(["--server", values.server.join(","), "--token", token, "--state-dir", values["state-dir"]!,
      ...(values.insecure ? ["--insecure"] : []), ...(apply ? ["--apply", apply] : [])]);
  }
  if (!values.server?.length) problems.push("--server is required");
  else {
    try {
      serverUrls(values.server);
    } catch (err) {
      problems.push(`--server ${values.server.join(",")}: ${(err as Error).message}`);
    }
  }
  if (!token && !tokenFile) problems.push("--token (or LVS_AGENT_TOKEN / --token-file) is required");
  if (!["auto", "ipvs", "userspace"].includes(values.engine!)) problems.push(`--engine must be auto, ipvs or userspace (got ${values.engine})`);
  else if (workers > 1 && values.engine !== "userspace") problems.push(`--workers ${workers} needs --engine userspace (IPVS forwards in the kernel on every core)`);
  if (problems.length) {
    process.stderr.write(`lvs-agent: ${problems.join("; ")}\n${USAGE}`);
    return 2;
  }
  const log = consoleLog();
  log.info(`lvs-agent ${AGENT_VERSION} (protocol ${PROTOCOL_VERSION})`);
  const stateDir = path.resolve(values["state-dir"]!);
  await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });

  let built;
  try {
    built = await createEngine({ choice: values.engine as EngineChoice, stateDir, ipvsadm: values.ipvsadm!, bootRules: values["boot-rules"] ?? null, log, workers });
  } catch (e) {
    log.error(`cannot start the ${values.engine} engine: ${(e as Error).message}`);
    return 1;
  }
  log.info(`engine ${built.engine.kind}: ${built.reason}; state dir ${stateDir}`);
  // VRRP through Debian's keepalived when the director is in an HA group (idle otherwise)
  const ha = new HaSupervisor({
    host: localKeepalivedHost(), exec: nodeExec(), ipvsadm: values.ipvsadm!, log, now: Date.now,
    routerId: os.hostname(), kernelSync: built.engine.kind === "ipvs",
    ...(built.engine instanceof UserspaceEngine ? { awaitingAddress: () => (built.engine as UserspaceEngine).awaitingAddress() } : {}),
  });
  const running = await runAgent({
    ha,
    server: values.server!, token: token!, engine: built.engine, stateDir, log,
    ...(built.bootRules ? { bootRules: built.bootRules } : {}),
    ...(values.insecure ? { insecure: true } : {}),
    ...(values["heal-drift"] ? { healDrift: true } : {}),
    // the director's own prerequisites (DIPs, VIP, ip_forward, IPVS modules): observed, never changed
    ...(built.engine.kind === "ipvs" ? { observeHost: (keys: readonly string[]) => new IpRealServerSystem({ exec: nodeExec() }).observe(keys) } : {}),
    exec: {
      dir: path.resolve(values["checks-dir"] ?? e("LVS_AGENT_CHECKS_DIR") ?? DEFAULT_CHECKS_DIR),
      user: values["check-user"] ?? e("LVS_AGENT_CHECK_USER") ?? DEFAULT_CHECK_USER,
      allowRoot: values["check-allow-root"]!,
    },
  });
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      log.info(`${sig}: stopping (${built.engine.kind === "ipvs" ? "kernel rules stay in place" : "the userspace engine stops forwarding"})`);
      resolve();
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  await running.stop();
  // keepalived keeps running on purpose (VRRP is fail-static like the IPVS table)
  await ha.close();
  await built.engine.close();
  return 0;
}
