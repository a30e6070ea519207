/** TCP connect check: up when the three-way handshake completes within the timeout. */
import net from "node:net";
import type { Checker, CheckResult } from "./checker.ts";
import { probePort } from "./checker.ts";

export const tcpChecker: Checker = {
  check(target, check, timeoutMs) {
    const port = probePort(check, target);
    return new Promise<CheckResult>((resolve) => {
      const socket = net.connect({ host: target.address, port });
      const done = (r: CheckResult) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(r);
      };
      const timer = setTimeout(() => done({ ok: false, message: `timeout after ${timeoutMs} ms` }), timeoutMs);
      socket.once("connect", () => done({ ok: true, message: "connected" }));
      socket.once("error", (e: NodeJS.ErrnoException) => done({ ok: false, message: e.code ?? e.message }));
    });
  },
};
