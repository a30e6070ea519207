/**
 * Child process: N WebSocket subscribers. Parent sends {cmd:"connect", url, cookie, topics[], mode}
 * ("live": subscribe over /api/live; "bare": just listen) and {cmd:"report"}; latency = receipt
 * time - the frame's `at` (the agent's send time). Frames are not fully parsed (only `at`, and
 * "merged" for live stats), like a browser that only looks at the newest values would still have to
 * read them: the cost measured is the server's.
 */
import WebSocket from "ws";
import { frameAt, summarize } from "./stats.ts";

let sockets: WebSocket[] = [];
/** per stats frame: its `at` (agent send time) and the delivery latency */
let ats: number[] = [];
let lat: number[] = [];
let bytes = 0;
let merged = 0;
let snapshots = 0;
/** frames sent before the measurement started (warm-up backlog) are counted apart */
let since = 0;
let backlog = 0;


process.on("message", async (m: { cmd: string; url?: string; cookie?: string; topics?: string[]; perTopic?: number; mode?: "live" | "bare"; since?: number; until?: number }) => {
  if (m.cmd === "connect") {
    const opened: Promise<void>[] = [];
    for (const topic of m.topics!) {
      for (let i = 0; i < m.perTopic!; i++) {
        const ws = new WebSocket(m.mode === "bare" ? `${m.url}?t=${topic}` : m.url!, m.cookie ? { headers: { cookie: m.cookie } } : {});
        sockets.push(ws);
        ws.on("error", () => {});
        ws.on("message", (data: Buffer) => {
          const now = Date.now();
          bytes += data.length;
          const head = data.toString("latin1", 0, 24);
          if (head.startsWith('{"type":"snapshot"')) return void snapshots++;
          if (head.startsWith('{"type":"subscribed"')) return;
          const at = frameAt(data);
          if (at !== null && at < since) return void backlog++;
          if (at === null) return;
          ats.push(at);
          lat.push(now - at);
          const tail = /"merged":(\d+)\}$/.exec(data.toString("latin1", Math.max(0, data.length - 24)));
          if (tail && Number(tail[1]) > 1) merged++;
        });
        opened.push(new Promise<void>((res, rej) => {
          ws.once("open", () => {
            if (m.mode === "live") ws.send(JSON.stringify({ type: "subscribe", topologyId: topic }));
            res();
          });
          ws.once("unexpected-response", (_q, r) => rej(new Error(`upgrade refused: ${r.statusCode}`)));
        }));
      }
    }
    await Promise.all(opened);
    process.send!({ ok: true, sockets: sockets.length });
  } else if (m.cmd === "reset") {
    lat = [];
    ats = [];
    bytes = merged = snapshots = backlog = 0;
    since = m.since ?? Date.now();
    process.send!({ ok: true });
  } else if (m.cmd === "report") {
    // frames sent inside the window [since, until); those still in flight get 1 s to arrive
    const until = m.until ?? Date.now();
    await new Promise((r) => setTimeout(r, 1000));
    const inWindow = lat.filter((_, i) => ats[i]! < until);
    process.send!({ latency: summarize(inWindow), frames: inWindow.length, bytes, merged, snapshots, backlog });
  } else if (m.cmd === "close") {
    for (const s of sockets) s.terminate();
    sockets = [];
    process.send!({ ok: true });
  }
});
process.send!({ ready: true });
