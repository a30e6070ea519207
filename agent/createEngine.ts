/** Builds the engine the CLI asked for (auto-detecting when asked), with its fail-static boot-rules writer. */
import path from "node:path";
import type { ForwardingEngine } from "./engine.ts";
import type { AgentLog } from "./log.ts";
import { detectEngine, fsExists } from "./auto.ts";
import { nodeExec } from "./engines/ipvs/exec.ts";
import { IpvsEngine } from "./engines/ipvs/ipvsEngine.ts";
import { defaultBootRulesPath, type FailStaticOptions } from "./failStatic.ts";
import { renderRules } from "../lvs/formats/ipvsadm/render.ts";
import { UserspaceEngine } from "./engines/userspace/userspaceEngine.ts";

export type EngineChoice = "auto" | "ipvs" | "userspace";

export interface BuiltEngine {
  engine: ForwardingEngine;
  reason: string;
  bootRules?: FailStaticOptions["bootRules"];
}

export async function createEngine(o: { choice: EngineChoice; stateDir: string; ipvsadm: string; bootRules: string | null; log: AgentLog }): Promise<BuiltEngine> {
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
  if (kind === "ipvs") {
    const engine = new IpvsEngine({ exec, ipvsadm: o.ipvsadm, managedFile: path.join(o.stateDir, "ipvs-managed.json") });
    const target = o.bootRules === "none" ? null : (o.bootRules ?? (await defaultBootRulesPath()));
    return {
      engine, reason,
      ...(target ? { bootRules: { path: target, render: (t) => renderRules(t) /* with -x/-y: ipvsadm -R accepts them */ } } : {}),
    };
  }
  return { engine: new UserspaceEngine(), reason };
}
