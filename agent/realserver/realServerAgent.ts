/**
 * The real-server role over the agent link: the control plane sends the host settings this real
 * server needs (`rs.desired`, from the revision in force), the agent applies them (`--apply auto`)
 * or only verifies them until the console's "prepare" (`rs.prepare`, `--apply on-request`), and
 * reports every check with its observed value (`rs.report`). Fail-static: the last applied settings
 * are put back at start, before the link is up. Every `recheckMs` it verifies again and reports
 * when a check changed (someone removed the VIP, a reboot reset a sysctl): drift is seen without a
 * new revision. Messages are handled one at a time in arrival order.
 */
import { PROTOCOL_VERSION, type AgentMessage, type ServerMessage } from "../../lvs/protocol/agent.ts";
import type { RealServerReport } from "../../lvs/protocol/realServer.ts";
import type { RealServerHostDesired } from "../../lvs/realServer/hostSettings.ts";
import type { AgentLog } from "../log.ts";
import type { Clock, Timers } from "../health/monitor.ts";
import type { PrepareReport, RealServerPreparer } from "./realServerPreparer.ts";

export type ApplyPolicy = "auto" | "on-request";

export interface RealServerAgentOptions {
  preparer: RealServerPreparer;
  apply: ApplyPolicy;
  log: AgentLog;
  clock: Clock;
  timers: Timers;
  /** periodic verification (drift); default 30 s, 0 = off */
  recheckMs?: number;
}

/** A report's checks as one comparable string (which ids pass and what was observed). */
export function checksSignature(r: Pick<PrepareReport, "checks" | "errors">): string {
  return JSON.stringify([r.checks.map((c) => [c.id, c.ok, c.observed]), r.errors]);
}

export class RealServerAgent {
  /** wired to the link by the runner: false when the message could not be sent */
  send: (m: AgentMessage) => boolean = () => false;
  private desired: RealServerHostDesired | null = null;
  private desiredRevision: number | null = null;
  private last: RealServerReport | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: unknown = null;
  private stopped = false;

  constructor(private readonly o: RealServerAgentOptions) {}

  /** Fail-static restore, then periodic re-checks. */
  async start(): Promise<void> {
    const restored = await this.o.preparer.start();
    if (restored) this.last = { ...restored, kind: "restore" };
    this.desired = this.o.preparer.desired;
    this.desiredRevision = this.o.preparer.revision;
    this.arm();
  }

  hello(hostname: string, agentVersion: string): AgentMessage {
    return { v: PROTOCOL_VERSION, type: "rs.hello", agentVersion, hostname, apply: this.o.apply, revision: this.o.preparer.revision };
  }

  get lastReport(): RealServerReport | null {
    return this.last;
  }

  handle(msg: ServerMessage): Promise<void> {
    const run = this.queue.then(() => this.onMessage(msg));
    this.queue = run.catch((e: Error) => this.o.log.error(`real server: handling ${msg.type}: ${e.message}`));
    return run;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer != null) this.o.timers.clearTimeout(this.timer);
    await this.queue.catch(() => {});
  }

  private async onMessage(msg: ServerMessage): Promise<void> {
    switch (msg.type) {
      case "welcome":
        this.o.log.info(`connected as real server ${msg.directorName} (${msg.directorId}); applying ${this.o.apply === "auto" ? "every revision" : "on request only"}`);
        if (this.last) this.report(this.last, null);
        return;
      case "rs.desired": {
        this.desired = msg.desired;
        this.desiredRevision = msg.revision;
        const r = this.o.apply === "auto"
          ? { ...(await this.o.preparer.apply(msg.desired, msg.revision)), kind: "apply" as const }
          : { ...(await this.o.preparer.verify(msg.desired)), revision: msg.revision, kind: "verify" as const };
        this.report(r, null);
        return;
      }
      case "rs.prepare": {
        if (!this.desired) {
          this.send({ v: PROTOCOL_VERSION, type: "error", code: "realserver.no-desired", message: "no desired settings received yet; nothing to prepare" });
          return;
        }
        this.o.log.info(`real server: prepare requested (${msg.requestId})`);
        const r = await this.o.preparer.apply(this.desired, this.desiredRevision);
        this.report({ ...r, kind: "apply" }, msg.requestId);
        return;
      }
      case "heartbeat":
        this.send({ v: PROTOCOL_VERSION, type: "heartbeat", at: this.o.clock.now(), appliedRevision: this.o.preparer.revision });
        return;
      case "error":
        this.o.log.warn(`control plane error ${msg.code}: ${msg.message}`);
        return;
      default:
        // director messages are not for this role
        this.o.log.warn(`real server: ignoring "${msg.type}" (a director's message)`);
        return;
    }
  }

  private report(r: RealServerReport, requestId: string | null): void {
    this.last = r;
    this.send({ v: PROTOCOL_VERSION, type: "rs.report", requestId, report: r });
  }

  private arm(): void {
    const every = this.o.recheckMs ?? 30_000;
    if (every <= 0 || this.stopped) return;
    this.timer = this.o.timers.setTimeout(() => {
      void this.recheck().finally(() => this.arm());
    }, every);
  }

  /** Verify again; report only when something changed since the last report. */
  recheck(): Promise<void> {
    const run = this.queue.then(async () => {
      if (!this.desired || this.stopped) return;
      const r: RealServerReport = { ...(await this.o.preparer.verify(this.desired)), revision: this.desiredRevision, kind: "verify" };
      if (!this.last || checksSignature(r) !== checksSignature(this.last)) this.report(r, null);
    });
    this.queue = run.catch((e: Error) => this.o.log.error(`real server: re-check: ${e.message}`));
    return run;
  }
}
