/**
 * The engine's side of the native data path (native/lvs-tcp-relay.c): one relay process per engine
 * (per worker), spawned with the engine, to which established connections are handed over
 * (both sockets, as SCM_RIGHTS over Node's "ipc" stdio channel) so that their bytes never enter JS.
 * The engine keeps the connection-table entry; the relay reports counters (batched every second;
 * `flush` makes them exact before the engine reports stats or connections, zeroes them, and before
 * every tick's idle sweep and estimator sample; exact at close), FINs and the close, which drive the
 * entry like the JS relay's callbacks do.
 *
 * The channel is Node's IPC pipe handle used raw (its JSON message protocol is not spoken: our lines
 * are text, fds ride on `writeUtf8String(req, line, handle)` like child.send's). When the binary is
 * missing or the channel's internals are not there, `create` returns null and the engine keeps the
 * JS relay. Connections are handed over only once the running relay said it is ready (until then
 * they stay on the JS relay); a relay that dies fails its connections (the kernel closed their
 * sockets with the process) and is restarted at once, at most MAX_RESTARTS times.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";

/** What the relay reports about one handed-off connection. */
export interface RelayedConnection {
  /** counters since the last report: client→real server packets/bytes, real server→client */
  relayCounters(inPkts: number, inBytes: number, outPkts: number, outBytes: number): void;
  /** a FIN was read from the client (true) or the real server (false) */
  relayFin(fromClient: boolean): void;
  /** both sockets are closed: graceful after FIN both ways, not after an error, abort or relay death */
  relayClosed(graceful: boolean): void;
}

/** A libuv handle as the bindings expose it (only what is sent). */
export type RelayHandle = object;

interface WriteReq { oncomplete: (this: WriteReq, status: number) => void; async: boolean; handle: unknown; done: (() => void) | null }
interface ChannelHandle {
  onread: ((buf: ArrayBuffer | undefined) => void) | null;
  writeUtf8String(req: WriteReq, s: string, handle?: RelayHandle): number;
  readStart(): number;
  close(): void;
  unref?(): void;
}
interface StreamWrap {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kArrayBufferOffset: number;
  kLastWriteWasAsync: number;
}

function loadStreamWrap(): StreamWrap | null {
  try {
    const b = (process as unknown as { binding(n: string): Partial<StreamWrap> }).binding("stream_wrap");
    if (typeof b.WriteWrap !== "function" || !b.streamBaseState) return null;
    if (typeof b.kReadBytesOrError !== "number" || typeof b.kArrayBufferOffset !== "number" || typeof b.kLastWriteWasAsync !== "number") return null;
    return b as StreamWrap;
  } catch {
    return null;
  }
}

const MAX_RESTARTS = 5;

/** Where the .deb installs the relay. */
export const DEFAULT_TCP_RELAY = "/usr/lib/lvs-agent/lvs-tcp-relay";

/** LVS_AGENT_TCP_RELAY (a path, or "none" for the JS relay only), else the installed relay when present. */
export function tcpRelayPath(env: Record<string, string | undefined> = process.env, exists: (p: string) => boolean = fs.existsSync): string | null {
  const v = env.LVS_AGENT_TCP_RELAY;
  if (v === "none") return null;
  if (v) return v;
  return exists(DEFAULT_TCP_RELAY) ? DEFAULT_TCP_RELAY : null;
}

function onWritten(this: WriteReq, status: number): void {
  const done = this.done;
  this.done = null;
  this.handle = null;
  if (status >= 0) done?.();
  else done?.(); // the channel broke: the relay's exit fails the connection; our copies still close
}

export class TcpRelay {
  private child: ChildProcess | null = null;
  private channel: ChannelHandle | null = null;
  private readonly conns = new Map<number, RelayedConnection>();
  private nextId = 1;
  private restarts = 0;
  private pending = "";
  /** the running relay said "Q 0" (set up): connections are handed over only then, so a relay
   * that cannot start never takes one */
  private ready = false;
  private dead = false;
  private readonly decoder = new TextDecoder();
  private flushSeq = 0;
  private readonly flushes = new Map<number, () => void>();

  private constructor(
    readonly path: string,
    private readonly sw: StreamWrap,
    private readonly log: (line: string) => void,
  ) {}

  /** A relay for `path`, or null (logged once) when it cannot be used here. */
  static create(path: string, log: (line: string) => void): TcpRelay | null {
    const sw = loadStreamWrap();
    if (!sw) {
      log(`tcp relay: Node's stream bindings are not available; established connections stay on the JS relay`);
      return null;
    }
    if (!fs.existsSync(path)) {
      log(`tcp relay: ${path} not found; established connections stay on the JS relay`);
      return null;
    }
    const relay = new TcpRelay(path, sw, log);
    relay.startProcess(); // at once: ready (or known broken) before the first connection to hand over
    return relay;
  }

  /** usable now or after a restart */
  get available(): boolean {
    return !this.dead;
  }

  /** the running relay is set up and takes connections */
  get isReady(): boolean {
    return this.ready && this.channel !== null;
  }

  /** connections the relay carries now */
  get size(): number {
    return this.conns.size;
  }

  /** pid of the relay process (tests, bench) */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  private startProcess(): boolean {
    let child: ChildProcess;
    try {
      child = spawn(this.path, [], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
    } catch (e) {
      return this.disable(`cannot start ${this.path}: ${(e as Error).message}`);
    }
    child.on("error", (e) => this.log(`tcp relay: ${this.path}: ${e.message}`));
    if (child.pid === undefined) return this.disable(`cannot start ${this.path}`);
    const sym = Object.getOwnPropertySymbols(child).find((s) => s.description === "kChannelHandle");
    const channel = sym ? ((child as unknown as Record<symbol, ChannelHandle | undefined>)[sym] ?? null) : null;
    if (!channel || typeof channel.writeUtf8String !== "function") {
      child.kill("SIGKILL");
      return this.disable("Node's IPC channel handle is not reachable");
    }
    channel.onread = (buf) => this.onRead(child, buf);
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (d: string) => {
      for (const l of d.split("\n")) if (l) this.log(l);
    });
    child.on("exit", (code, signal) => this.onExit(child, code, signal));
    child.unref();
    channel.unref?.();
    (child.stderr as unknown as { unref?: () => void }).unref?.();
    this.child = child;
    this.channel = channel;
    this.pending = "";
    this.ready = false;
    return true;
  }

  private disable(why: string): false {
    this.dead = true;
    this.log(`tcp relay: ${why}; established connections stay on the JS relay`);
    return false;
  }

  /**
   * Hands both sockets of a connection to the relay; `release` runs once the descriptors are sent
   * (the caller then closes its handles). Returns the id, or 0 when the relay is not usable (nothing
   * was sent; the connection stays on the JS relay).
   */
  handOff(client: RelayHandle, backend: RelayHandle, conn: RelayedConnection, release: () => void): number {
    if (this.dead || (this.channel === null && !this.startProcess()) || !this.ready) return 0;
    const ch = this.channel!;
    const id = this.nextId++;
    if (!this.send(ch, "F\n", client, null)) return 0;
    if (!this.send(ch, `H ${id}\n`, backend, release)) {
      // the client's descriptor went alone: the relay would pair it with the next connection's
      this.child?.kill("SIGKILL"); // (its exit fails what it carries and starts a fresh one)
      return 0;
    }
    this.conns.set(id, conn);
    return id;
  }

  private send(ch: ChannelHandle, line: string, handle: RelayHandle | undefined, done: (() => void) | null): boolean {
    const req = new this.sw.WriteWrap();
    req.oncomplete = onWritten;
    req.async = false;
    req.handle = ch;
    req.done = null;
    if (ch.writeUtf8String(req, line, handle) !== 0) return false;
    if (this.sw.streamBaseState[this.sw.kLastWriteWasAsync] === 0) done?.();
    else {
      req.async = true;
      req.done = done;
    }
    return true;
  }

  /**
   * Every counter the relay holds, reported (bounded wait: a relay that does not answer within
   * `ms` leaves the counters up to a second stale, it never blocks a stats read).
   */
  flush(ms = 200): Promise<void> {
    const ch = this.channel;
    if (ch === null || this.conns.size === 0) return Promise.resolve();
    const n = ++this.flushSeq;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.flushes.get(n)?.(), ms);
      this.flushes.set(n, () => {
        clearTimeout(timer);
        this.flushes.delete(n);
        resolve();
      });
      if (!this.send(ch, `Q ${n}\n`, undefined, null)) this.flushes.get(n)?.();
    });
  }

  /** Abort a handed-off connection (idle timeout, engine close): the relay closes both sockets. */
  kill(id: number): void {
    if (this.channel && this.conns.has(id)) this.send(this.channel, `K ${id}\n`, undefined, null);
  }

  private onRead(child: ChildProcess, buf: ArrayBuffer | undefined): void {
    if (child !== this.child) return;
    const n = this.sw.streamBaseState[this.sw.kReadBytesOrError]!;
    if (!buf || n <= 0) {
      if (n < 0 || !buf) this.channel?.close();
      return;
    }
    const text = this.pending + this.decoder.decode(new Uint8Array(buf, this.sw.streamBaseState[this.sw.kArrayBufferOffset]!, n));
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      this.onLine(text.slice(start, nl));
      start = nl + 1;
    }
    this.pending = text.slice(start);
  }

  private onLine(l: string): void {
    const f = l.split(" ");
    if (f[0] === "Q") {
      if (f[1] === "0") this.ready = true;
      return void this.flushes.get(Number(f[1]))?.();
    }
    const c = this.conns.get(Number(f[1]));
    if (!c) return;
    switch (f[0]) {
      case "S": {
        const n = [Number(f[2]), Number(f[3]), Number(f[4]), Number(f[5])];
        if (f.length === 6 && n.every((x) => Number.isSafeInteger(x) && x >= 0)) c.relayCounters(n[0]!, n[1]!, n[2]!, n[3]!);
        return;
      }
      case "F":
        c.relayFin(f[2] === "c");
        return;
      case "X":
        this.conns.delete(Number(f[1]));
        c.relayClosed(f[2] === "1");
        return;
      case "R":
        this.conns.delete(Number(f[1]));
        c.relayClosed(false);
        return;
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = null;
    this.channel?.close();
    this.channel = null;
    const lost = [...this.conns.values()];
    this.conns.clear();
    for (const c of lost) c.relayClosed(false);
    for (const done of [...this.flushes.values()]) done();
    if (this.dead) return; // closed on purpose
    this.log(`tcp relay exited (${signal ?? `code ${code}`}); ${lost.length} relayed connection(s) failed`);
    if (++this.restarts > MAX_RESTARTS) this.disable(`restarted ${MAX_RESTARTS} times`);
    else this.startProcess();
  }

  /** Engine close: the relay and every connection it carries go. */
  close(): void {
    this.dead = true;
    const child = this.child;
    if (child) {
      this.channel?.close(); // the relay exits on the channel's EOF, closing its sockets
      this.channel = null;
      child.kill("SIGTERM");
    }
  }
}
