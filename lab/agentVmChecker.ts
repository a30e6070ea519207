/**
 * A health Checker for the lab: the probe runs INSIDE the VM (the director), because the real
 * servers live in VM namespaces the host cannot reach. A real agent probes from its director too;
 * only the place the socket is opened moves, the agent's monitor, rise/fall and effective table are
 * the production code. TCP connect via busybox `nc -w SECONDS ADDR PORT </dev/null`: exit 0 when the
 * handshake completes, 1 on refusal or timeout (its stderr is the message).
 */
import type { Checker, CheckResult } from "../agent/health/checker.ts";
import { probePort } from "../agent/health/checker.ts";
import type { Exec } from "../agent/engines/ipvs/exec.ts";

export function vmTcpChecker(exec: Exec): Checker {
  return {
    async check(target, check, timeoutMs): Promise<CheckResult> {
      const port = probePort(check, target);
      const seconds = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
      const r = await exec.run(["nc", "-w", seconds, target.address, String(port)]);
      return r.code === 0 ? { ok: true, message: "connected" } : { ok: false, message: r.stderr.trim().replace(/^nc: /, "") || `exit ${r.code}` };
    },
  };
}
