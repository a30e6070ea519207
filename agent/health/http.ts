/** HTTP/HTTPS GET check: status in the inclusive range, optional body substring. TLS is not verified. */
import http from "node:http";
import https from "node:https";
import type { Checker, CheckResult } from "./checker.ts";
import { probePort } from "./checker.ts";

const MAX_BODY = 64 * 1024;

export const httpChecker: Checker = {
  check(target, check, timeoutMs) {
    if (check.kind !== "http" && check.kind !== "https") {
      return Promise.resolve({ ok: false, message: `http checker given a ${check.kind} check` });
    }
    const port = probePort(check, target);
    const mod = check.kind === "https" ? https : http;
    return new Promise<CheckResult>((resolve) => {
      let settled = false;
      const done = (r: CheckResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        resolve(r);
      };
      const req = mod.request({
        host: target.address,
        port,
        path: check.path,
        method: "GET",
        headers: { host: check.host ?? target.address, "user-agent": "lvs-agent-healthcheck", connection: "close" },
        rejectUnauthorized: false,
        agent: false,
      });
      const timer = setTimeout(() => done({ ok: false, message: `timeout after ${timeoutMs} ms` }), timeoutMs);
      req.once("error", (e: NodeJS.ErrnoException) => done({ ok: false, message: e.code ?? e.message }));
      req.once("response", (res) => {
        const status = res.statusCode ?? 0;
        const inRange = status >= check.status[0] && status <= check.status[1];
        if (!inRange) return done({ ok: false, message: `HTTP ${status}` });
        if (check.bodyMatch == null) return done({ ok: true, message: `HTTP ${status}` });
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
          if (body.includes(check.bodyMatch!)) done({ ok: true, message: `HTTP ${status}, body matched` });
          else if (body.length > MAX_BODY) done({ ok: false, message: `HTTP ${status}, body did not match` });
        });
        res.once("end", () => done(body.includes(check.bodyMatch!)
          ? { ok: true, message: `HTTP ${status}, body matched` }
          : { ok: false, message: `HTTP ${status}, body did not match` }));
        res.once("error", (e) => done({ ok: false, message: e.message }));
      });
      req.end();
    });
  },
};
