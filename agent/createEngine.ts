/** Builds the engine the CLI asked for (auto-detecting when asked), with its fail-static boot-rules writer. */
import fs from "node:fs";
import path from "node:path";
import type { ForwardingEngine } from "./engine.ts";
import type { AgentLog } from "./log.ts";
import { detectEngine, fsExists } from "./auto.ts";
import { nodeExec } from "./engines/ipvs/exec.ts";
import { IpvsEngine } from "./engines/ipvs/ipvsEngine.ts";
import { defaultBootRulesPath, type FailStaticOptions } from "./failStatic.ts";
import { renderRules } from "../lvs/formats/ipvsadm/render.ts";
import { UserspaceEngine } from "./engines/userspace/userspaceEngine.ts";
import { ClusterEngine } from "./engines/userspace/clusterEngine.ts";
import { DEFAULT_TCP_RELAY } from "./engines/userspace/tcpRelay.ts";
import { preferCarriedHelper } from "./nativeHelpers.ts";

export type EngineChoice = "auto" | "ipvs" | "userspace";

export interface BuiltEngine {
  engine: ForwardingEngine;
  reason: string;
  bootRules?: FailStaticOptions["bootRules"];
}

/** Where the .deb installs the netlink helper (agent/engines/ipvs/native/lvs-ipvs-nl.c). */
export const DEFAULT_IPVS_HELPER = "/usr/lib/lvs-agent/lvs-ipvs-nl";

/** Where the helper keeps its last stats output (stats-since): a tmpfs, rewritten every stats interval. */
export const IPVS_STATS_STATE = "/run/lvs-agent/ipvs-stats";

/** LVS_AGENT_IPVS_HELPER (a path, or "none" for ipvsadm only), else the installed helper when present. */
export function ipvsHelperPath(env: NodeJS.ProcessEnv = process.env, exists: (p: string) => boolean = fs.existsSync): string | null {
  const v = env.LVS_AGENT_IPVS_HELPER;
  if (v === "none") return null;
  if (v) return v;
  return exists(DEFAULT_IPVS_HELPER) ? DEFAULT_IPVS_HELPER : null;
}

/** `workers` > 1 (userspace only): that many processes share the listening sockets (clusterEngine.ts). */
export async function createEngine(o: { choice: EngineChoice; stateDir: string; ipvsadm: string; bootRules: string | null; log: AgentLog; workers?: number }): Promise<BuiltEngine> {
  const exec = nodeExec();
  let kind: "ipvs" | "userspace";
  let reason: string;
  if (o.choice === "auto") {
    const d = await detectEngine({ exists: fsExists, exec, ipvsadm: o.ipvsadm });
    kind = d.engine;
    reason = `auto: ${d.reason}`;
  } else {
    kind = o.choice;
    reason = "chosen with --engine";
  }
  // the single executable carries the native helpers: used when no setting and no .deb names one
  const carried = path.join(o.stateDir, "native");
  const warn = (l: string) => o.log.warn(l);
  if (kind === "ipvs") {
    preferCarriedHelper("lvs-ipvs-nl", { envName: "LVS_AGENT_IPVS_HELPER", installed: DEFAULT_IPVS_HELPER, dir: carried, warn });
    const helper = ipvsHelperPath();
    // stats as differences from the last read (the helper prints only what changed): needs /run
    const statsStateFile = helper && (await fs.promises.mkdir(path.dirname(IPVS_STATS_STATE), { recursive: true }).then(() => true, () => false)) ? IPVS_STATS_STATE : null;
    const engine = new IpvsEngine({
      exec, ipvsadm: o.ipvsadm, managedFile: path.join(o.stateDir, "ipvs-managed.json"), helper, statsStateFile,
      onHelperFallback: (why) => o.log.warn(`ipvs: the netlink helper: ${why}`),
    });
    if (helper) reason += `; kernel table through ${helper} (netlink), ipvsadm for connections`;
    const target = o.bootRules === "none" ? null : (o.bootRules ?? (await defaultBootRulesPath()));
    return {
      engine, reason,
      ...(target ? { bootRules: { path: target, render: (t) => renderRules(t) /* with -x/-y: ipvsadm -R accepts them */ } } : {}),
    };
  }
  preferCarriedHelper("lvs-tcp-relay", { envName: "LVS_AGENT_TCP_RELAY", installed: DEFAULT_TCP_RELAY, dir: carried, warn });
  const workers = o.workers ?? 1;
  if (workers > 1) {
    const engine = new ClusterEngine({ workers, log: (l) => o.log.warn(l) });
    await engine.start();
    return { engine, reason: `${reason}; ${workers} worker processes share the listening sockets` };
  }
  const engine = new UserspaceEngine({ log: (l) => o.log.warn(l) });
  // the native relay (tcpRelay.ts) for established TCP connections, or the JS relay (said once in the log)
  return { engine, reason: engine.tcpRelay ? `${reason}; established TCP connections through ${engine.tcpRelay.path}` : reason };
}
