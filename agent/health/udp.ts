/**
 * UDP check: send a datagram on a connected socket. With `expect`, up when a reply containing it
 * arrives in time. Without, up unless the host answers ICMP port unreachable (ECONNREFUSED) in time.
 */
import dgram from "node:dgram";
import type { Checker, CheckResult } from "./checker.ts";
import { probePort } from "./checker.ts";

export const udpChecker: Checker = {
  check(target, check, timeoutMs) {
    if (check.kind !== "udp") return Promise.resolve({ ok: false, message: `udp checker given a ${check.kind} check` });
    const port = probePort(check, target);
    const socket = dgram.createSocket(target.address.includes(":") ? "udp6" : "udp4");
    return new Promise<CheckResult>((resolve) => {
      let settled = false;
      const done = (r: CheckResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        try { socket.close(); } catch { /* already closed */ }
        resolve(r);
      };
      const timer = setTimeout(() => done(check.expect == null
        ? { ok: true, message: "no ICMP unreachable" }
        : { ok: false, message: `no reply after ${timeoutMs} ms` }), timeoutMs);
      socket.on("error", (e: NodeJS.ErrnoException) => done({ ok: false, message: e.code ?? e.message }));
      socket.on("message", (msg) => {
        if (check.expect == null || msg.toString("utf8").includes(check.expect)) done({ ok: true, message: "reply" });
        else done({ ok: false, message: "reply did not match" });
      });
      socket.connect(port, target.address, () => {
        socket.send(Buffer.from(check.send, "utf8"), (err) => { if (err) done({ ok: false, message: err.message }); });
      });
    });
  },
};
