/** The checker registry keyed by health-check kind. */
import type { HealthCheckKind } from "../../lvs/model.ts";
import type { Checker } from "./checker.ts";
import { createExecChecker, execChecker, type ExecCheckerOptions } from "./exec.ts";
import { httpChecker } from "./http.ts";
import { tcpChecker } from "./tcp.ts";
import { udpChecker } from "./udp.ts";

export type CheckerRegistry = Partial<Record<HealthCheckKind, Checker>>;

export const defaultCheckers: CheckerRegistry = {
  tcp: tcpChecker,
  http: httpChecker,
  https: httpChecker,
  udp: udpChecker,
  exec: execChecker,
};

/** The default checkers with exec checks from the given checks directory / user. */
export function checkersWith(exec: ExecCheckerOptions): CheckerRegistry {
  return { ...defaultCheckers, exec: createExecChecker(exec) };
}
