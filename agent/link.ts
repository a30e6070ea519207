/**
 * The agent's WebSocket link to the control plane (`/api/agent`).
 * - Authenticates on the upgrade (`Authorization: Bearer TOKEN`); a refusal is logged with the
 *   server's status and reason, e.g. "401 unauthorized: token revoked".
 * - Reconnects forever with jittered exponential backoff ("equal jitter": half fixed, half random);
 *   the attempt counter resets only once the server has welcomed us.
 * - After every (re)connect the agent sends `hello`; the server answers with the full desired state,
 *   so nothing missed while offline is lost.
 * - Never exits the process; `stop()` is the only way to end it.
 */
import WebSocket from "ws";
import type { AgentMessage, ServerMessage } from "../lvs/protocol/agent.ts";
import { CLOSE, INCOMPATIBLE, MAX_FRAME_BYTES, PROTOCOL_VERSION, frameVersion, installCommand, parseServerMessage, peekError } from "../lvs/protocol/agent.ts";
import { AGENT_VERSION } from "./version.ts";
import type { AgentLog } from "./log.ts";
import type { Timers } from "./health/monitor.ts";
import { MessageJson } from "./messageJson.ts";
import { statsFieldsJson } from "../lvs/stats/statsFieldsJson.ts";
import type { StatsFieldsFrame } from "../lvs/stats/statsFields.ts";

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export interface LinkOptions {
  /** http(s)://host:port[/api/agent] or ws(s)://…; several (a list, or comma-separated) are tried in
   *  turn: after a lost connection or a failed attempt the agent moves to the next one */
  server: string | readonly string[];
  token: string;
  log: AgentLog;
  timers: Timers;
  random: () => number;
  backoff?: BackoffOptions;
  /** built fresh for every connection */
  hello: () => Promise<AgentMessage>;
  onMessage: (msg: ServerMessage) => void;
  /** give up on a silent server after this long without any frame (default 3 × heartbeat, min 5 s) */
  silenceMs?: number;
  /** TLS: accept self-signed control-plane certificates (lab use) */
  insecure?: boolean;
}

export function agentUrl(server: string): string {
  const u = new URL(server);
  if (u.protocol === "http:") u.protocol = "ws:";
  else if (u.protocol === "https:") u.protocol = "wss:";
  else if (u.protocol !== "ws:" && u.protocol !== "wss:") throw new Error(`--server: unsupported scheme ${u.protocol} (use http, https, ws or wss)`);
  if (u.pathname === "" || u.pathname === "/") u.pathname = "/api/agent";
  return u.toString();
}

/** The console's own URL (what install.sh takes) from an agent link URL: ws(s)→http(s), without /api/agent. */
export function consoleUrlOf(linkUrl: string): string {
  const u = new URL(linkUrl);
  u.protocol = u.protocol === "wss:" ? "https:" : "http:";
  if (u.pathname === "/api/agent") u.pathname = "/";
  return u.toString().replace(/\/+$/, "");
}

/** Delay before reconnect attempt `attempt` (0-based): equal jitter over capped exponential growth. */
/** The control-plane URLs of `--server` (repeated and/or comma-separated), in order, without duplicates. */
export function serverUrls(server: string | readonly string[]): string[] {
  const list = (typeof server === "string" ? [server] : server).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
  if (!list.length) throw new Error("--server: no URL given");
  return [...new Set(list.map(agentUrl))];
}

export function backoffDelay(attempt: number, b: BackoffOptions, random: () => number): number {
  const cap = Math.min(b.maxMs, b.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(cap / 2 + random() * (cap / 2));
}

export class AgentLink {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: unknown = null;
  private silenceTimer: unknown = null;
  private stopped = false;
  private welcomed = false;
  private readonly urls: string[];
  /** index into `urls` of the current (or next) attempt */
  private current = 0;
  private readonly backoff: BackoffOptions;
  /** last refusal or close reason, for status displays */
  lastError: string | null = null;

  constructor(private readonly opts: LinkOptions) {
    this.urls = serverUrls(opts.server);
    this.backoff = opts.backoff ?? { initialMs: 500, maxMs: 30000 };
  }

  /** the control-plane URL of the current connection or attempt */
  get url(): string {
    return this.urls[this.current]!;
  }

  get connected(): boolean {
    return this.welcomed && this.ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /**
   * Sends once the server has welcomed this connection; returns false (message dropped) otherwise.
   * Until then only `hello` may go out (the server closes a connection whose first frame is anything
   * else), and building hello can take a while (it reads the engine's table).
   */
  private readonly json = new MessageJson();

  send(msg: AgentMessage): boolean {
    if (!this.welcomed) return false;
    return this.sendRaw(msg);
  }

  /** Feature "stats.fields": the frame's JSON bytes, written without a JS array of its numbers, as a text frame. */
  sendStatsFields(frame: StatsFieldsFrame): boolean {
    if (!this.welcomed || !this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    const bytes = statsFieldsJson(frame, PROTOCOL_VERSION);
    // ws masks a Buffer into a new frame at once (the bytes are not kept) unless it compresses first
    this.ws.send(this.ws.extensions ? bytes.slice() : bytes, { binary: false });
    return true;
  }

  private sendRaw(msg: AgentMessage): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(this.json.text(msg));
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer != null) this.opts.timers.clearTimeout(this.retryTimer);
    if (this.silenceTimer != null) this.opts.timers.clearTimeout(this.silenceTimer);
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once("close", () => resolve());
        ws.close(1000, "agent stopping");
        setTimeout(() => { ws.terminate(); resolve(); }, 1000).unref();
      });
    }
  }

  private connect(): void {
    if (this.stopped) return;
    this.welcomed = false;
    const ws = new WebSocket(this.url, {
      headers: { authorization: `Bearer ${this.opts.token}` },
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: 10000,
      rejectUnauthorized: !this.opts.insecure,
    });
    this.ws = ws;
    let refused = false;

    ws.on("unexpected-response", (_req, res) => {
      refused = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => { if (body.length < 512) body += c; });
      res.on("end", () => {
        this.lastError = `${res.statusCode} ${body.trim() || res.statusMessage || ""}`.trim();
        this.opts.log.error(`control plane refused the agent: ${this.lastError}`);
        ws.terminate();
        this.retry();
      });
      res.on("error", () => { ws.terminate(); this.retry(); });
    });
    ws.on("open", () => {
      this.armSilence(15000);
      void this.opts.hello().then((m) => { if (this.ws === ws) this.sendRaw(m); }, (e: Error) => {
        this.opts.log.error(`cannot build hello: ${e.message}`);
        ws.close(1011, "agent error");
      });
    });
    ws.on("message", (data, isBinary) => {
      if (isBinary) return this.badFrame(ws, "binary frame");
      const text = data.toString();
      const parsed = parseServerMessage(text);
      if (!parsed.ok || (parsed.message.type === "error" && parsed.message.code === INCOMPATIBLE)) return this.unreadable(ws, text, parsed.ok ? "" : parsed.reason);
      const msg = parsed.message;
      if (msg.type === "welcome") {
        this.welcomed = true;
        this.attempt = 0;
        this.lastError = null;
        this.silenceMs = this.opts.silenceMs ?? Math.max(5000, msg.heartbeatMs * 3);
      }
      this.armSilence(this.silenceMs);
      this.opts.onMessage(msg);
    });
    ws.on("error", (e) => {
      if (refused) return;
      this.lastError = e.message;
    });
    ws.on("close", (code, reason) => {
      if (this.silenceTimer != null) this.opts.timers.clearTimeout(this.silenceTimer);
      if (refused || this.ws !== ws) return;
      const why = reason.toString() || this.lastError || "connection lost";
      this.opts.log.warn(`link closed (${code}${why ? ` ${why}` : ""})`);
      this.retry();
    });
  }

  private silenceMs = 15000;

  private armSilence(ms: number): void {
    if (this.silenceTimer != null) this.opts.timers.clearTimeout(this.silenceTimer);
    const ws = this.ws;
    this.silenceTimer = this.opts.timers.setTimeout(() => {
      if (this.ws !== ws || !ws) return;
      this.lastError = `no frame from the control plane for ${ms} ms`;
      this.opts.log.warn(this.lastError);
      ws.terminate();
    }, ms);
  }

  /**
   * A refusal for the protocol version, or a frame this protocol cannot read: a refusal (an error frame of any version, e.g. "this console
   * accepts protocol N: install lvs-agent X"), another protocol version, or a broken frame. The first
   * two are logged with the command that installs the agent this console serves; the link retries
   * with its backoff either way (the director keeps forwarding its last table).
   */
  private unreadable(ws: WebSocket, text: string, reason: string): void {
    const upgrade = `upgrade from this console: ${installCommand(consoleUrlOf(this.url))}`;
    const refusal = peekError(text);
    if (refusal) {
      this.lastError = refusal.message;
      this.opts.log.error(`control plane refused the agent (${refusal.code}): ${refusal.message}${refusal.code === INCOMPATIBLE ? `; ${upgrade}` : ""}`);
      ws.close(CLOSE.incompatible, `refused: agent protocol ${PROTOCOL_VERSION}`);
      return;
    }
    const v = frameVersion(text);
    if (v !== null && v !== PROTOCOL_VERSION) {
      this.lastError = `the control plane speaks agent protocol ${v}, this agent (lvs-agent ${AGENT_VERSION}) speaks ${PROTOCOL_VERSION}`;
      this.opts.log.error(`${this.lastError}: ${upgrade}`);
      ws.close(CLOSE.incompatible, `agent protocol ${PROTOCOL_VERSION} cannot read protocol ${v}`);
      return;
    }
    this.badFrame(ws, reason);
  }

  private badFrame(ws: WebSocket, reason: string): void {
    this.opts.log.error(`bad frame from control plane: ${reason}`);
    ws.close(4400, reason.slice(0, 120));
  }

  private retry(): void {
    if (this.stopped || this.retryTimer != null) return;
    // with several URLs, move to the next one; the backoff grows once per full round of URLs, so a
    // dead instance costs one quick attempt before the next instance is tried
    const n = this.urls.length;
    const delay = backoffDelay(Math.floor(this.attempt++ / n), this.backoff, this.opts.random);
    this.current = (this.current + 1) % n;
    this.opts.log.info(`reconnecting in ${delay} ms (attempt ${this.attempt}) to ${this.url}`);
    this.retryTimer = this.opts.timers.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }
}
