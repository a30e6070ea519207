/**
 * `lvs-agent` command line.
 *
 *   lvs-agent --server http(s)://HOST:PORT --token TOKEN [--engine auto|ipvs|userspace] [--state-dir DIR]
 *             [--boot-rules PATH|none] [--ipvsadm PATH] [--insecure] [--heal-drift]
 *   lvs-agent run --engine userspace --rules FILE …      (standalone, no control plane: agent/standalone.ts)
 *
 * The token may also come from LVS_AGENT_TOKEN or --token-file (keeps it out of `ps`).
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
import { runAgent } from "./runAgent.ts";
import { serverUrls } from "./link.ts";
import { createEngine, type EngineChoice } from "./createEngine.ts";
import { DEFAULT_CHECK_USER, DEFAULT_CHECKS_DIR } from "./health/exec.ts";

export const USAGE = `usage:
  lvs-agent --server http(s)://HOST:PORT --token TOKEN [--engine auto|ipvs|userspace] [--state-dir DIR]
            [--boot-rules PATH|none] [--ipvsadm PATH] [--insecure] [--heal-drift]
            [--checks-dir DIR] [--check-user USER] [--check-allow-root]
  lvs-agent run --engine userspace --rules FILE [...]   standalone, without a control plane
  lvs-agent realserver --topology FILE --rip ADDR [--verify|--undo|--restore|--script]
                                                       prepare a real server for DR/TUN/NAT

  --server      control plane URL (the agent connects to /api/agent); repeat it or give a
                comma-separated list for several instances: after a lost connection the next is tried
  --token       agent token shown once when the director was enrolled (or LVS_AGENT_TOKEN, --token-file)
  --engine      auto (default): ipvs if the kernel has IPVS and ipvsadm works, else userspace
  --state-dir   where the last applied table is kept for fail-static restarts (default /var/lib/lvs-agent)
  --boot-rules  ipvs only: also write the table here for the distribution's ipvsadm service
                (default /etc/ipvsadm.rules, /etc/sysconfig/ipvsadm on Red Hat; "none" to skip)
  --heal-drift  put back hand-made ipvsadm changes to managed services every 30 s (default: leave
                them, the console shows them as drift to re-apply or import)
  --checks-dir  exec health checks: the programs the console may name (default /etc/lvs-agent/checks.d,
                or LVS_AGENT_CHECKS_DIR); each must be owned by root and not writable by others
  --check-user  user the exec checks run as (default nobody, or LVS_AGENT_CHECK_USER); root is refused
                unless --check-allow-root
`;

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === "realserver") {
    const { runRealServerCli } = await import("./realserver/realServerCli.ts");
    return runRealServerCli(argv.slice(1));
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
        engine: { type: "string", default: "auto" }, "state-dir": { type: "string", default: "/var/lib/lvs-agent" },
        "boot-rules": { type: "string" }, ipvsadm: { type: "string", default: "ipvsadm" },
        insecure: { type: "boolean", default: false }, "heal-drift": { type: "boolean", default: false }, help: { type: "boolean", short: "h" },
        "checks-dir": { type: "string" }, "check-user": { type: "string" }, "check-allow-root": { type: "boolean", default: false },
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
  const token = values.token ?? process.env.LVS_AGENT_TOKEN ?? (values["token-file"] ? (await fs.readFile(values["token-file"], "utf8")).trim() : undefined);
  const problems: string[] = [];
  if (!values.server?.length) problems.push("--server is required");
  else {
    try {
      serverUrls(values.server);
    } catch (e) {
      problems.push(`--server ${values.server.join(",")}: ${(e as Error).message}`);
    }
  }
  if (!token) problems.push("--token (or LVS_AGENT_TOKEN / --token-file) is required");
  if (!["auto", "ipvs", "userspace"].includes(values.engine!)) problems.push(`--engine must be auto, ipvs or userspace (got ${values.engine})`);
  if (problems.length) {
    process.stderr.write(`lvs-agent: ${problems.join("; ")}\n${USAGE}`);
    return 2;
  }
  const log = consoleLog();
  const stateDir = path.resolve(values["state-dir"]!);
  await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });

  let built;
  try {
    built = await createEngine({ choice: values.engine as EngineChoice, stateDir, ipvsadm: values.ipvsadm!, bootRules: values["boot-rules"] ?? null, log });
  } catch (e) {
    log.error(`cannot start the ${values.engine} engine: ${(e as Error).message}`);
    return 1;
  }
  log.info(`engine ${built.engine.kind}: ${built.reason}; state dir ${stateDir}`);
  // VRRP through Debian's keepalived when the director is in an HA group (idle otherwise)
  const ha = new HaSupervisor({
    host: localKeepalivedHost(), exec: nodeExec(), ipvsadm: values.ipvsadm!, log, now: Date.now,
    routerId: os.hostname(), kernelSync: built.engine.kind === "ipvs",
  });
  const running = await runAgent({
    ha,
    server: values.server!, token: token!, engine: built.engine, stateDir, log,
    ...(built.bootRules ? { bootRules: built.bootRules } : {}),
    ...(values.insecure ? { insecure: true } : {}),
    ...(values["heal-drift"] ? { healDrift: true } : {}),
    exec: {
      dir: path.resolve(values["checks-dir"] ?? process.env.LVS_AGENT_CHECKS_DIR ?? DEFAULT_CHECKS_DIR),
      user: values["check-user"] ?? process.env.LVS_AGENT_CHECK_USER ?? DEFAULT_CHECK_USER,
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

if (import.meta.url === `file://${process.argv[1]}` || process.env.LVS_AGENT_MAIN === "1") {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e: Error) => {
    process.stderr.write(`lvs-agent: ${e.stack ?? e.message}\n`);
    process.exit(1);
  });
}
