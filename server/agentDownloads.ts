/**
 * The built agent, served without a session (nothing here is secret; the token never is):
 *   GET|HEAD /agent/lvs-agent          the executable (application/octet-stream)
 *   GET|HEAD /agent/lvs-agent.sha256   `HEX  lvs-agent` (sha256sum -c format)
 *   GET|HEAD /agent/install.sh         the installer the enroll dialog's command pipes to sh
 * from the directory `npm run build:agent` writes (dist/agent; `npm start` builds it before serving).
 * Missing files answer 503 with what to run. `agentRelease(dir)` reads its build.json for the UI
 * (the version agents are compared with and the upgrade command installs).
 */
import { readFileSync, statSync } from "node:fs";
import fs from "node:fs/promises";
import type http from "node:http";
import path from "node:path";

const FILES: Record<string, { name: string; type: string }> = {
  "/agent/lvs-agent": { name: "lvs-agent", type: "application/octet-stream" },
  "/agent/lvs-agent.sha256": { name: "lvs-agent.sha256", type: "text/plain; charset=utf-8" },
  "/agent/install.sh": { name: "install.sh", type: "text/x-shellscript; charset=utf-8" },
};

export const NOT_BUILT = "the agent is not built on this console: run `npm run build:agent` (npm start builds it)";

export interface AgentRelease {
  version: string;
  protocolVersion: number;
  sha256: string;
  bytes: number;
  arch: string;
}

/** build.json of the served build, or null when there is none (re-read when the file changes). */
export function agentRelease(dir: string): AgentRelease | null {
  const file = path.join(dir, "build.json");
  try {
    const st = statSync(file);
    if (cache?.file === file && cache.mtimeMs === st.mtimeMs) return cache.release;
    const j = JSON.parse(readFileSync(file, "utf8")) as Partial<AgentRelease>;
    const release = typeof j.version === "string" && typeof j.protocolVersion === "number" && typeof j.sha256 === "string"
      ? { version: j.version, protocolVersion: j.protocolVersion, sha256: j.sha256, bytes: Number(j.bytes) || 0, arch: String(j.arch ?? "") }
      : null;
    cache = { file, mtimeMs: st.mtimeMs, release };
    return release;
  } catch {
    return null;
  }
}
let cache: { file: string; mtimeMs: number; release: AgentRelease | null } | null = null;

/** Serves the request when its path is one of /agent/*; returns false for any other path. */
export function serveAgentDownload(dir: string, req: http.IncomingMessage, res: http.ServerResponse, pathname: string): boolean {
  if (pathname !== "/agent" && !pathname.startsWith("/agent/")) return false;
  const send = (status: number, text: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", "content-length": Buffer.byteLength(text), ...extra });
    res.end(req.method === "HEAD" ? undefined : text);
  };
  const f = FILES[pathname];
  if (!f) return send(404, `no such download: ${pathname} (there are ${Object.keys(FILES).join(", ")})\n`), true;
  if (req.method !== "GET" && req.method !== "HEAD") return send(405, "GET or HEAD only\n", { allow: "GET, HEAD" }), true;
  // size and bytes from one open file: a rebuild renames new files into place, this one stays whole
  void fs.open(path.join(dir, f.name)).then(async (fh) => {
    const { size } = await fh.stat().catch(async (err) => (await fh.close(), Promise.reject(err)));
    res.writeHead(200, {
      "content-type": f.type,
      "content-length": size,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
      ...(f.name === "lvs-agent" ? { "content-disposition": 'attachment; filename="lvs-agent"' } : {}),
    });
    if (req.method === "HEAD") {
      await fh.close();
      res.end();
      return;
    }
    const stream = fh.createReadStream();
    stream.once("error", (err) => res.destroy(err));
    res.once("close", () => stream.destroy()); // a client that went away must not keep the file open
    stream.pipe(res);
  }).catch((err: NodeJS.ErrnoException) => {
    if (!res.headersSent) send(503, `${NOT_BUILT}${err.code === "ENOENT" ? "" : ` (${err.message})`}\n`);
    else res.destroy(err);
  });
  return true;
}
