/**
 * `lvs-agent realserver`: the real-server role on one host, from a topology document (the console's
 * JSON export of a topology, or `lvsctl`'s), without a control plane.
 *
 *   lvs-agent realserver --topology FILE --rip ADDR [--rip ADDR…] [--state-dir DIR] [--verify|--undo|--restore|--script]
 *   lvs-agent realserver --server URL --token TOKEN [--apply auto|on-request] [--state-dir DIR] [--insecure]
 *   (also `lvs-agent --role realserver --server URL --token TOKEN …`)
 *
 * With --server the role runs connected: enrolled in the console (a real server's *Enroll agent*),
 * it gets the settings of the revision in force over the agent link, applies them (auto) or only
 * verifies them until the console's "prepare" (on-request), and reports every check; it runs until
 * SIGINT/SIGTERM (the settings stay). LVS_AGENT_TEST_FAKE_HOST=1 swaps the host for an in-memory
 * one (cross-process tests only; says so loudly).
 *
 * Default: prepare the host for every membership of the RIPs (apply what fails its check, record
 * what it changed in DIR/realserver.json) and print one check per line. --verify only checks;
 * --undo removes what the agent set (original sysctl values back); --restore re-applies the saved
 * settings (for boot, before traffic arrives: fail-static); --script prints the equivalent sh script.
 * Exit codes: 0 every check passes, 1 a check fails or a change failed, 2 bad usage or input.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { topologySchema } from "../../lvs/schemas.ts";
import type { Topology } from "../../lvs/model.ts";
import { realServerHostSettings } from "../../lvs/realServer/hostSettings.ts";
import { prepareScript } from "../../lvs/realServer/prepareScript.ts";
import { canonicalAddress } from "../../lvs/address.ts";
import { nodeExec } from "../engines/ipvs/exec.ts";
import { consoleLog } from "../log.ts";
import { IpRealServerSystem } from "./ipRealServerSystem.ts";
import { FileRealServerStateStore } from "./realServerState.ts";
import { RealServerPreparer, type PrepareReport } from "./realServerPreparer.ts";
import type { RealServerSystem } from "./realServerSystem.ts";
import { FakeRealServerSystem } from "./fakeRealServerSystem.ts";
import { runRealServerAgent } from "./runRealServerAgent.ts";
import type { ApplyPolicy } from "./realServerAgent.ts";
import { serverUrls } from "../link.ts";
import { AGENT_VERSION } from "../version.ts";
import { REALSERVER_TOKEN_PREFIX } from "../../lvs/protocol/realServer.ts";

export const REALSERVER_USAGE = `usage:
  lvs-agent realserver --server URL --token TOKEN [--token-file FILE] [--apply auto|on-request] [--state-dir DIR] [--insecure]
    connected to the console (token from the real server's "Enroll agent"): gets the settings of the
    revision in force, applies them (--apply auto, default) or only checks them until the console's
    "prepare" (--apply on-request), reports every check; runs until SIGINT/SIGTERM
  lvs-agent realserver --topology FILE --rip ADDR [--rip ADDR...] [--state-dir DIR] [--verify|--undo|--restore|--script]
    without a console: (default) prepare this host for its forwarding methods; --verify only check;
    --undo remove what the agent set; --restore re-apply the saved settings at boot; --script print
    the equivalent sh script
`;

export function formatReport(r: PrepareReport): string {
  const lines = r.checks.map((c) => `${c.ok ? "ok  " : "FAIL"} ${c.id}: ${c.observed}${c.ok ? "" : ` (expected ${c.expected})`}`);
  for (const c of r.changes) lines.push(`changed: ${c}`);
  for (const e of r.errors) lines.push(`error: ${e}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join("\n") + (lines.length ? "\n" : "");
}

export interface RealServerCliIo {
  out(text: string): void;
  err(text: string): void;
  system?: RealServerSystem;
}

export async function runRealServerCli(argv: string[], io: RealServerCliIo = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) }): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        topology: { type: "string" }, rip: { type: "string", multiple: true }, "state-dir": { type: "string", default: "/var/lib/lvs-agent" },
        verify: { type: "boolean", default: false }, undo: { type: "boolean", default: false }, restore: { type: "boolean", default: false },
        script: { type: "boolean", default: false }, help: { type: "boolean", short: "h" },
        server: { type: "string", multiple: true }, token: { type: "string" }, "token-file": { type: "string" },
        apply: { type: "string" }, insecure: { type: "boolean", default: false },
      },
      strict: true,
    }));
  } catch (e) {
    io.err(`lvs-agent realserver: ${(e as Error).message}\n${REALSERVER_USAGE}`);
    return 2;
  }
  if (values.help) { io.out(REALSERVER_USAGE); return 0; }
  if (values.server?.length || values.token || values["token-file"] || values.apply) return runConnected(values, io);
  const modes = (["verify", "undo", "restore", "script"] as const).filter((m) => values[m]);
  const problems: string[] = [];
  if (modes.length > 1) problems.push(`--${modes.join(", --")}: choose one`);
  const needTopology = !values.undo && !values.restore;
  if (needTopology && !values.topology) problems.push("--topology is required");
  const rips = (values.rip ?? []).map((r) => ({ r, c: canonicalAddress(r) }));
  for (const { r, c } of rips) if (!c) problems.push(`--rip ${r}: not an IPv4 or IPv6 address`);
  if (needTopology && rips.length === 0) problems.push("--rip is required (the real server's address as the topology names it)");
  if (problems.length) { io.err(`lvs-agent realserver: ${problems.join("; ")}\n${REALSERVER_USAGE}`); return 2; }

  let topology: Topology | null = null;
  if (values.topology) {
    let raw: unknown;
    try {
      raw = JSON.parse(await fs.readFile(values.topology, "utf8"));
    } catch (e) {
      io.err(`lvs-agent realserver: ${values.topology}: ${(e as Error).message}\n`);
      return 2;
    }
    const doc = raw && typeof raw === "object" && "topology" in raw ? (raw as { topology: unknown }).topology : raw;
    const parsed = topologySchema.safeParse(doc);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      io.err(`lvs-agent realserver: ${values.topology}: ${i?.path.join(".") || "(root)"}: ${i?.message ?? "not a topology"}\n`);
      return 2;
    }
    topology = parsed.data as Topology;
  }
  const desired = topology ? realServerHostSettings(topology, rips.map((x) => x.c!)) : null;
  if (values.script) {
    io.out(prepareScript(desired!, rips.map((x) => x.c).join(", ")));
    return 0;
  }
  if (desired && desired.settings.length === 0 && !values.undo) io.err(`lvs-agent realserver: no membership of ${rips.map((x) => x.c).join(", ")} needs anything on this host\n`);
  const stateDir = path.resolve(values["state-dir"]!);
  await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
  const preparer = new RealServerPreparer({
    system: io.system ?? new IpRealServerSystem({ exec: nodeExec() }), store: new FileRealServerStateStore(stateDir), log: consoleLog(), clock: Date,
  });
  let report: PrepareReport | null;
  if (values.restore) {
    report = await preparer.start();
    if (!report) { io.out("nothing saved to restore\n"); return 0; }
  } else {
    await preparer.load(); // what the agent owns, so undo and the next apply know it
    report = values.undo ? await preparer.undo() : values.verify ? await preparer.verify(desired!) : await preparer.apply(desired!, null);
  }
  io.out(formatReport(report));
  return report.errors.length === 0 && report.checks.every((c) => c.ok) ? 0 : 1;
}

type CliValues = { server?: string[]; token?: string; "token-file"?: string; apply?: string; insecure?: boolean; "state-dir"?: string; topology?: string; rip?: string[]; verify?: boolean; undo?: boolean; restore?: boolean; script?: boolean };

/** `--server URL --token T`: the role connected to the console until a signal ends it. */
async function runConnected(values: CliValues, io: RealServerCliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const problems: string[] = [];
  const apply = values.apply ?? "auto";
  if (apply !== "auto" && apply !== "on-request") problems.push(`--apply must be auto or on-request (got ${apply})`);
  if (!values.server?.length) problems.push("--server is required with --token");
  else {
    try {
      serverUrls(values.server);
    } catch (e) {
      problems.push(`--server ${values.server.join(",")}: ${(e as Error).message}`);
    }
  }
  for (const f of ["topology", "rip", "verify", "undo", "restore", "script"] as const) {
    const val = values[f];
    if (Array.isArray(val) ? val.length : val) problems.push(`--${f} cannot be combined with --server (the console sends the settings)`);
  }
  let token = values.token ?? env.LVS_AGENT_TOKEN;
  if (!token && values["token-file"]) {
    try {
      token = (await fs.readFile(values["token-file"], "utf8")).trim();
    } catch (e) {
      problems.push(`--token-file ${values["token-file"]}: ${(e as Error).message}`);
    }
  }
  if (!token && !values["token-file"]) problems.push("--token (or LVS_AGENT_TOKEN / --token-file) is required");
  else if (token && !token.startsWith(REALSERVER_TOKEN_PREFIX)) problems.push(`--token: a real server's token starts with ${REALSERVER_TOKEN_PREFIX} (this one is a director's; enroll the real server in the console)`);
  if (problems.length) { io.err(`lvs-agent realserver: ${problems.join("; ")}\n${REALSERVER_USAGE}`); return 2; }
  const log = consoleLog();
  const fake = env.LVS_AGENT_TEST_FAKE_HOST === "1";
  if (fake) log.warn("LVS_AGENT_TEST_FAKE_HOST=1: the host is an IN-MEMORY FAKE (tests only); nothing on this machine changes");
  const stateDir = path.resolve(values["state-dir"] ?? env.LVS_AGENT_STATE_DIR ?? "/var/lib/lvs-agent");
  await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
  const system = io.system ?? (fake ? new FakeRealServerSystem() : new IpRealServerSystem({ exec: nodeExec() }));
  log.info(`lvs-agent ${AGENT_VERSION}: real-server role, apply ${apply}; state dir ${stateDir}`);
  const running = await runRealServerAgent({
    server: values.server!, token: token!, system, stateDir, apply: apply as ApplyPolicy, log, ...(values.insecure ? { insecure: true } : {}),
    ...(env.LVS_AGENT_RECHECK_MS ? { recheckMs: Number(env.LVS_AGENT_RECHECK_MS) } : {}),
  });
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => { log.info(`${sig}: stopping (the host settings stay)`); resolve(); };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  await running.stop();
  return 0;
}
