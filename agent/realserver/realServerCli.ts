/**
 * `lvs-agent realserver`: the real-server role on one host, from a topology document (the console's
 * JSON export of a topology, or `lvsctl`'s), without a control plane.
 *
 *   lvs-agent realserver --topology FILE --rip ADDR [--rip ADDR…] [--state-dir DIR] [--verify|--undo|--restore|--script]
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

export const REALSERVER_USAGE = `usage:
  lvs-agent realserver --topology FILE --rip ADDR [--rip ADDR...] [--state-dir DIR] [--verify|--undo|--restore|--script]
    (default) prepare this host for its forwarding methods; --verify only check; --undo remove what the
    agent set; --restore re-apply the saved settings at boot; --script print the equivalent sh script
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
      },
      strict: true,
    }));
  } catch (e) {
    io.err(`lvs-agent realserver: ${(e as Error).message}\n${REALSERVER_USAGE}`);
    return 2;
  }
  if (values.help) { io.out(REALSERVER_USAGE); return 0; }
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
