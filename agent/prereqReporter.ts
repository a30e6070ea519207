/**
 * The director's own prerequisites (feature "prereq"): the control plane sends them with each desired
 * state (lvs/realServer/directorPrerequisites.ts: DIPs, the VIP it serves alone, ip_forward for NAT,
 * the IPVS modules); the agent observes them through the real-server system's read side (never
 * changes them: they are the operator's host configuration) and reports `director.prereq` after each
 * desired, then again whenever a re-check (`tick`, driven by the server's heartbeats) sees a change.
 */
import { PROTOCOL_VERSION, type AgentMessage } from "../lvs/protocol/agent.ts";
import { checkHost, observationKeys, type HostObservation } from "../lvs/realServer/hostChecks.ts";
import type { HostSettingEntry } from "../lvs/realServer/hostSettings.ts";
import type { Clock } from "./health/monitor.ts";

export type Observe = (sysctlKeys: readonly string[]) => Promise<HostObservation>;

export class PrereqReporter {
  private settings: HostSettingEntry[] | null = null;
  private revision: number | null = null;
  private last: string | null = null;
  private running = false;
  private beats = 0;

  constructor(private readonly o: { observe: Observe; clock: Clock; send: (m: AgentMessage) => boolean; everyBeats?: number }) {}

  /** New desired prerequisites: check and report now. */
  update(revision: number, settings: HostSettingEntry[]): Promise<void> {
    this.settings = settings;
    this.revision = revision;
    this.last = null;
    return this.check();
  }

  /** Called on every heartbeat; re-checks every `everyBeats` (default 6, 30 s at 5 s heartbeats). */
  tick(): Promise<void> {
    if (++this.beats % (this.o.everyBeats ?? 6) !== 0) return Promise.resolve();
    return this.check();
  }

  /** After a reconnect the control plane may have missed the last report. */
  resend(): void {
    this.last = null;
  }

  private async check(): Promise<void> {
    if (!this.settings || this.running) return;
    this.running = true;
    try {
      const errors: string[] = [];
      let checks: ReturnType<typeof checkHost> = [];
      try {
        if (this.settings.length) checks = checkHost(this.settings, await this.o.observe(observationKeys(this.settings)));
      } catch (e) {
        errors.push(`cannot observe the host: ${(e as Error).message}`.slice(0, 1024));
      }
      const sig = JSON.stringify([this.revision, checks.map((c) => [c.id, c.ok, c.observed]), errors]);
      if (sig === this.last) return;
      if (this.o.send({ v: PROTOCOL_VERSION, type: "director.prereq", revision: this.revision, at: this.o.clock.now(), checks, errors })) this.last = sig;
    } finally {
      this.running = false;
    }
  }
}
