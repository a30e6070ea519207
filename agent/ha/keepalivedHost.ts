/**
 * The one door the HA supervisor has to keepalived: write its config, start / reload (SIGHUP) /
 * stop it, and hear its notify lines. `localKeepalivedHost` is the real one (Debian's keepalived on
 * this host); the lab adapts it to a namespace in the QEMU VM; unit tests use `FakeKeepalivedHost`.
 */
export interface KeepalivedHost {
  /** keepalived's version ("2.2.7"), or null when the binary is not installed */
  version(): Promise<string | null>;
  /** absolute path keepalived runs as notify script (written by writeFiles) */
  readonly notifyScript: string;
  /** writes the config and the notify script (root-owned, 0755: keepalived's script security) */
  writeFiles(config: string, notifyScript: string): Promise<void>;
  /** the notify log the script appends to (put into the script) */
  readonly notifyLog: string;
  running(): Promise<boolean>;
  /** starts keepalived (VRRP only, detached: it outlives the agent, like the IPVS table) */
  start(): Promise<void>;
  /** SIGHUP: re-reads the config; instances whose parameters stay keep their state */
  reload(): Promise<void>;
  /** SIGTERM: every MASTER instance sends priority 0 and drops its VIPs */
  stop(): Promise<void>;
  /** every notify line, as written; also the lines already in the log when subscribing (replay) */
  onNotify(cb: (line: string, replayed: boolean) => void): () => void;
  close(): Promise<void>;
}

/** In-memory keepalived for unit tests: records calls; `emit` plays keepalived's notify script. */
export class FakeKeepalivedHost implements KeepalivedHost {
  readonly notifyScript = "/run/lvs-agent/ha/notify.sh";
  readonly notifyLog = "/run/lvs-agent/ha/notify.log";
  installed: string | null = "2.2.7";
  isRunning = false;
  config = "";
  script = "";
  readonly calls: string[] = [];
  failStart: string | null = null;
  /** how many times running() was asked (each is a command on a real host) */
  runningChecks = 0;
  private listeners = new Set<(line: string, replayed: boolean) => void>();
  private lines: string[] = [];

  async version() { return this.installed; }
  async writeFiles(config: string, script: string) { this.calls.push("write"); this.config = config; this.script = script; }
  async running() { this.runningChecks++; return this.isRunning; }
  async start() {
    this.calls.push("start");
    if (this.failStart) throw new Error(this.failStart);
    this.isRunning = true;
  }
  async reload() { this.calls.push("reload"); }
  async stop() { this.calls.push("stop"); this.isRunning = false; }
  onNotify(cb: (line: string, replayed: boolean) => void) {
    for (const l of this.lines) cb(l, true);
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }
  emit(line: string) {
    this.lines.push(line);
    for (const l of this.listeners) l(line, false);
  }
  async close() { this.listeners.clear(); }
}
