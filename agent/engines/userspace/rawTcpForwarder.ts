/**
 * TCP forwarding on libuv handles, without net.Socket: the fast path of the userspace engine.
 *
 * A profile of the engine under new connections (bench/RESULTS.md) put most of the user time in
 * Node's stream machinery for the two sockets of every connection (Socket and Duplex construction,
 * event emitters, destroy/close ticks, megamorphic property loads), not in the engine's own code.
 * Here the listening handle's `onconnection` receives the accepted TCP handle directly and the
 * backend is a bare TCP handle connected with a TCPConnectWrap: per connection one RawConnection
 * (which is also the connection-table entry), two pooled read buffers, and module-level callbacks
 * that find their connection on the handle. Same syscalls as net, fewer of Node's JS objects.
 *
 * Semantics are those of tcpForwarder.ts (the fallback when these bindings are missing): the client
 * is not read until the real server accepted (pauseOnConnect); a failed connect is counted and the
 * client reset; every read is one packet; a write the kernel does not take at once stops reading
 * that direction until it completes (backpressure); a FIN is forwarded by shutdown, or by close when
 * the socket already sent its own FIN (same packets, one syscall fewer); an error on either side
 * closes both.
 */
import net from "node:net";
import type { ConnEntry } from "./connectionTable.ts";
import type { ForwarderHost } from "./host.ts";
import type { Template } from "./persistence.ts";
import type { RuntimeDestination, RuntimeService } from "./runtime.ts";
import { proxyV2Header } from "./proxyProtocol.ts";
import { releaseRelayBuffer, takeRelayBuffer, type ReadSlot } from "./relay.ts";
import type { RelayedConnection } from "./tcpRelay.ts";

/** The parts of Node's tcp_wrap / stream_wrap bindings used here (Node 20). */
interface Handle {
  conn?: RawConnection;
  onread: (this: Handle) => Buffer | undefined;
  readStart(): number;
  readStop(): number;
  useUserBuffer(b: Buffer): void;
  writeBuffer(req: WriteReq, b: Buffer): number;
  shutdown(req: ShutdownReq): number;
  close(cb?: (this: Handle) => void): void;
  reset(cb?: (this: Handle) => void): number;
  connect(req: ConnectReq, address: string, port: number): number;
  connect6(req: ConnectReq, address: string, port: number): number;
  setNoDelay(on: boolean): number;
  getpeername(out: { address?: string; port?: number; family?: string }): number;
  getsockname(out: { address?: string; port?: number; family?: string }): number;
}
interface WriteReq { handle: Handle | null; oncomplete: (this: WriteReq, status: number) => void; async: boolean; bytes: number; buffer: Buffer | null; callback: null; conn: RawConnection | null; toBackend: boolean }
interface ShutdownReq { handle: Handle | null; callback: null }
interface ConnectReq { oncomplete: (this: ConnectReq, status: number, handle: Handle) => void }
interface Bindings {
  TCP: new (type: number) => Handle;
  TCPConnectWrap: new () => ConnectReq;
  SOCKET: number;
  WriteWrap: new () => WriteReq;
  ShutdownWrap: new () => ShutdownReq;
  state: Int32Array;
  kReadBytesOrError: number;
  kLastWriteWasAsync: number;
  UV_EOF: number;
}

function loadBindings(): Bindings | null {
  try {
    const binding = (process as unknown as { binding(n: string): Record<string, unknown> }).binding;
    const tcp = binding("tcp_wrap") as { TCP?: Bindings["TCP"]; TCPConnectWrap?: Bindings["TCPConnectWrap"]; constants?: { SOCKET?: number } };
    const sw = binding("stream_wrap") as { WriteWrap?: Bindings["WriteWrap"]; ShutdownWrap?: Bindings["ShutdownWrap"]; streamBaseState?: Int32Array; kReadBytesOrError?: number; kLastWriteWasAsync?: number };
    const uv = binding("uv") as { UV_EOF?: number };
    const p = tcp.TCP?.prototype as Partial<Handle> | undefined;
    if (!tcp.TCP || !tcp.TCPConnectWrap || tcp.constants?.SOCKET === undefined || !sw.WriteWrap || !sw.ShutdownWrap || !sw.streamBaseState) return null;
    if (typeof sw.kReadBytesOrError !== "number" || typeof sw.kLastWriteWasAsync !== "number" || typeof uv.UV_EOF !== "number") return null;
    if (!p || typeof p.useUserBuffer !== "function" || typeof p.writeBuffer !== "function" || typeof p.reset !== "function") return null;
    return {
      TCP: tcp.TCP, TCPConnectWrap: tcp.TCPConnectWrap, SOCKET: tcp.constants.SOCKET, WriteWrap: sw.WriteWrap, ShutdownWrap: sw.ShutdownWrap,
      state: sw.streamBaseState, kReadBytesOrError: sw.kReadBytesOrError, kLastWriteWasAsync: sw.kLastWriteWasAsync, UV_EOF: uv.UV_EOF,
    };
  } catch {
    return null; // process.binding gone or restricted (--disallow-code-generation, policies): net.Socket path
  }
}

const B = process.env.LVS_ENGINE_NET_SOCKETS === "1" ? null : loadBindings();
// read on every callback: module constants, not two property loads through B each time
const streamState = B?.state ?? new Int32Array(1);
const kReadBytes = B?.kReadBytesOrError ?? 0;
const kLastWriteAsync = B?.kLastWriteWasAsync ?? 0;
const UV_EOF = B?.UV_EOF ?? -4095;

/** The handle-level path is usable in this Node (otherwise tcpForwarder.ts serves). */
export const rawTcpAvailable = B !== null;

const S_CLIENT_EOF = 1; // read the client's FIN
const S_BACKEND_EOF = 2;
const S_CLIENT_SHUT = 4; // sent FIN to the client (shutdown issued)
const S_BACKEND_SHUT = 8;
const S_CLIENT_CLOSED = 16;
const S_BACKEND_CLOSED = 32;
const S_IN_WRITING = 64; // a write to the backend is queued in libuv
const S_OUT_WRITING = 128;
const S_RELAYED = 256; // handed to the native relay (tcpRelay.ts): no handles here any more
/** reads of the real server that also prove a connection long-lived (a stream after one request) */
const BACKEND_READS_PER_CLIENT_READ = 8;

class RawConnection implements ConnEntry, RelayedConnection {
  readonly protocol = "tcp" as const;
  state = "SYN_RECV";
  active = false;
  since: number;
  seen = false;
  connected = false;
  failed = false;
  done = false;
  flags = 0;
  client: Handle | null;
  backend: Handle | null;
  inBuf: ReadSlot | null = null;
  outBuf: ReadSlot | null = null;
  /** reads of the client / real server so far (until the connection is handed to the native relay) */
  clientReads = 0;
  backendReads = 0;
  relayId = 0;

  constructor(
    readonly host: ForwarderHost,
    readonly svc: RuntimeService,
    client: Handle,
    backend: Handle,
    readonly dest: RuntimeDestination,
    readonly template: Template | null,
    readonly clientAddress: string,
    readonly clientPort: number,
  ) {
    this.since = host.now();
    this.client = client;
    this.backend = backend;
  }

  /** idle timeout / engine close: not a graceful end (CLOSE, not TIME_WAIT) */
  abort(): void {
    if (!(this.flags & S_RELAYED)) return fail(this);
    if (!this.done) this.host.tcpRelay?.kill(this.relayId); // its close report ends the entry
  }

  relayCounters(inPkts: number, inBytes: number, outPkts: number, outBytes: number): void {
    const d = this.dest;
    d.inPkts += inPkts;
    d.inBytes += inBytes;
    d.outPkts += outPkts;
    d.outBytes += outBytes;
    this.seen = true;
  }

  relayFin(fromClient: boolean): void {
    if (fromClient) this.toInactive(this.state === "CLOSE_WAIT" ? "LAST_ACK" : "FIN_WAIT");
    else this.toInactive(this.state === "FIN_WAIT" ? "LAST_ACK" : "CLOSE_WAIT");
  }

  relayClosed(graceful: boolean): void {
    if (this.done) return;
    this.done = true;
    if (!graceful) this.failed = true;
    this.host.table.linger(this, graceful, this.host.now());
  }

  toInactive(state: string): void {
    if (this.active) {
      this.active = false;
      this.dest.activeConns--;
      this.dest.inactConns++;
    }
    this.state = state;
  }
}

function finish(c: RawConnection): void {
  if (c.done || (c.flags & (S_CLIENT_CLOSED | S_BACKEND_CLOSED)) !== (S_CLIENT_CLOSED | S_BACKEND_CLOSED)) return;
  c.done = true;
  // a buffer still owned by a queued write (cancelled by the close) is left to the GC
  if (c.inBuf && !(c.flags & S_IN_WRITING)) releaseRelayBuffer(c.inBuf);
  if (c.outBuf && !(c.flags & S_OUT_WRITING)) releaseRelayBuffer(c.outBuf);
  c.inBuf = c.outBuf = null;
  c.client = c.backend = null;
  c.host.table.linger(c, c.connected && !c.failed, c.host.now());
}

function closeClient(c: RawConnection): void {
  if (c.flags & S_CLIENT_CLOSED) return;
  c.flags |= S_CLIENT_CLOSED;
  c.client!.close(); // no callback: one JS call per handle fewer
  finish(c);
}

function closeBackend(c: RawConnection): void {
  if (c.flags & S_BACKEND_CLOSED) return;
  c.flags |= S_BACKEND_CLOSED;
  c.backend!.close();
  finish(c);
}

/** an error on either side (read, write, shutdown): both sockets go, like net's destroy */
function fail(c: RawConnection): void {
  c.failed = true;
  closeClient(c);
  closeBackend(c);
}

/**
 * The write request for the next write. libuv keeps a request only when the write is queued; a write
 * the kernel takes at once leaves it unused, so one request serves every synchronous write. Its
 * fields are set once (Node's C++ reads none of them for a synchronous write; `oncomplete` and
 * `conn` only matter once it is queued).
 */
let spareWrite: WriteReq | null = null;

function newWriteReq(): WriteReq {
  const req = new B!.WriteWrap();
  req.handle = null;
  req.oncomplete = onWriteDone;
  req.async = false;
  req.bytes = 0;
  req.buffer = null;
  req.callback = null;
  req.conn = null;
  req.toBackend = false;
  return req;
}

/** 0: written at once; 1: queued in libuv (reading this direction waits for onWriteDone); <0: error */
function writeTo(c: RawConnection, toBackend: boolean, buf: Buffer): number {
  const target = toBackend ? c.backend! : c.client!;
  let req = spareWrite;
  if (req === null) req = spareWrite = newWriteReq(); // no store (and write barrier) per write otherwise
  const err = target.writeBuffer(req, buf);
  if (err !== 0 || streamState[kLastWriteAsync] === 0) return err;
  spareWrite = null;
  req.handle = target;
  req.async = true;
  req.buffer = buf;
  req.conn = c;
  req.toBackend = toBackend;
  c.flags |= toBackend ? S_IN_WRITING : S_OUT_WRITING;
  return 1;
}

function onWriteDone(this: WriteReq, status: number): void {
  const c = this.conn!;
  const toBackend = this.toBackend;
  this.conn = null;
  this.buffer = null;
  this.handle = null;
  c.flags &= ~(toBackend ? S_IN_WRITING : S_OUT_WRITING);
  if (c.done) return; // closed meanwhile (the write was cancelled): its buffer stays out of the pool
  if (status < 0) {
    fail(c);
    return;
  }
  // resume reading the source of this direction
  if (toBackend) {
    if (!(c.flags & (S_CLIENT_CLOSED | S_CLIENT_EOF)) && c.client!.readStart() !== 0) fail(c);
  } else if (!(c.flags & (S_BACKEND_CLOSED | S_BACKEND_EOF)) && c.backend!.readStart() !== 0) fail(c);
}

/**
 * Forward a FIN read from the other side. When `to` already sent its own FIN (we read it), closing is
 * the same on the wire as shutdown + close, without the shutdown syscall and request; the read side
 * is drained, so the close sends a FIN, not a reset.
 */
function forwardFin(c: RawConnection, toBackend: boolean): void {
  if (toBackend) {
    if (c.flags & S_BACKEND_EOF) return closeBackend(c);
    c.flags |= S_BACKEND_SHUT;
  } else {
    if (c.flags & S_CLIENT_EOF) return closeClient(c);
    c.flags |= S_CLIENT_SHUT;
  }
  // no oncomplete: libuv then makes no JS call when the FIN is out. A shutdown that fails later
  // (the peer reset meanwhile) shows up as a read error on the same socket, which closes both.
  const req = new B!.ShutdownWrap();
  req.handle = toBackend ? c.backend : c.client;
  req.callback = null;
  if (req.handle!.shutdown(req) !== 0) fail(c);
}

/** client → real server */
function onClientRead(this: Handle): Buffer | undefined {
  const c = this.conn;
  if (!c || c.done) return undefined;
  const n = streamState[kReadBytes]!;
  if (n > 0) {
    const d = c.dest;
    d.inPkts++;
    d.inBytes += n;
    c.seen = true;
    const r = writeTo(c, true, c.inBuf!.bytes(n));
    if (r === 1) this.readStop();
    else if (r < 0) fail(c);
    else if (++c.clientReads >= relayAfter(c)) handOff(c);
    return undefined;
  }
  if (n === 0) return undefined;
  if (n !== UV_EOF) {
    fail(c);
    return undefined;
  }
  c.flags |= S_CLIENT_EOF;
  c.toInactive(c.state === "CLOSE_WAIT" ? "LAST_ACK" : "FIN_WAIT");
  forwardFin(c, true);
  if (!c.done && c.flags & S_CLIENT_SHUT) closeClient(c);
  return undefined;
}

/** real server → client */
function onBackendRead(this: Handle): Buffer | undefined {
  const c = this.conn;
  if (!c || c.done) return undefined;
  const n = streamState[kReadBytes]!;
  if (n > 0) {
    const d = c.dest;
    d.outPkts++;
    d.outBytes += n;
    c.seen = true;
    const r = writeTo(c, false, c.outBuf!.bytes(n));
    if (r === 1) this.readStop();
    else if (r < 0) fail(c);
    else if (++c.backendReads >= relayAfter(c) * BACKEND_READS_PER_CLIENT_READ) handOff(c);
    return undefined;
  }
  if (n === 0) return undefined;
  if (n !== UV_EOF) {
    fail(c);
    return undefined;
  }
  c.flags |= S_BACKEND_EOF;
  c.toInactive(c.state === "FIN_WAIT" ? "LAST_ACK" : "CLOSE_WAIT");
  forwardFin(c, false);
  if (!c.done && c.flags & S_BACKEND_SHUT) closeBackend(c);
  return undefined;
}

/** client reads after which a connection goes to the native relay (Infinity: no relay) */
function relayAfter(c: RawConnection): number {
  const h = c.host;
  return h.tcpRelay?.available ? (h.relayAfterReads ?? 2) : Infinity;
}

/**
 * Hands an established connection to the native relay (tcpRelay.ts), from a read callback whose
 * write completed: nothing is queued here, so every byte not yet relayed is in the kernel's socket
 * buffers, where the relay reads it. Not with a FIN seen or sent (the JS relay finishes those).
 */
function handOff(c: RawConnection): void {
  if (c.flags & (S_CLIENT_EOF | S_BACKEND_EOF | S_CLIENT_SHUT | S_BACKEND_SHUT | S_IN_WRITING | S_OUT_WRITING | S_RELAYED)) return;
  const client = c.client!;
  const backend = c.backend!;
  client.readStop();
  backend.readStop();
  const id = c.host.tcpRelay!.handOff(client, backend, c, () => {
    client.close(); // our copies of the descriptors: the relay holds its own
    backend.close();
  });
  if (id === 0) {
    if (client.readStart() !== 0 || backend.readStart() !== 0) fail(c);
    return;
  }
  c.relayId = id;
  c.flags |= S_RELAYED;
  client.conn = undefined;
  backend.conn = undefined;
  releaseRelayBuffer(c.inBuf!);
  releaseRelayBuffer(c.outBuf!);
  c.inBuf = c.outBuf = null;
  c.client = c.backend = null;
}

function startReading(c: RawConnection, h: Handle, buf: ReadSlot, onread: (this: Handle) => Buffer | undefined): boolean {
  h.useUserBuffer(buf.buf);
  h.onread = onread;
  return h.readStart() === 0;
}

function onBackendConnect(this: ConnectReq, status: number, handle: Handle): void {
  const c = handle.conn;
  if (!c || c.done) return;
  if (status < 0) {
    c.failed = true;
    c.dest.failures++;
    c.svc.failures++;
    c.flags |= S_CLIENT_CLOSED;
    c.client!.reset(); // RST to the client at once, like a refused SYN
    closeBackend(c);
    return;
  }
  c.connected = true;
  c.state = "ESTABLISHED";
  if (c.template) c.template.assured = true;
  c.active = true;
  c.dest.inactConns--;
  c.dest.activeConns++;
  let header = 0;
  if (c.svc.proxyProtocol) {
    const local: { address?: string; port?: number } = {};
    c.client!.getsockname(local);
    const h = proxyV2Header("tcp", c.svc.key.family, { address: c.clientAddress, port: c.clientPort }, { address: local.address ?? c.svc.key.address, port: local.port ?? c.svc.key.port });
    header = writeTo(c, true, h);
    if (header < 0) return fail(c);
  }
  // with the header still queued, the client is read once it is written (onWriteDone)
  if (header === 0 && !startReading(c, c.client!, c.inBuf!, onClientRead)) return fail(c);
  if (header === 1) {
    c.client!.useUserBuffer(c.inBuf!.buf);
    c.client!.onread = onClientRead;
  }
}

const peer: { address?: string; port?: number; family?: string } = {};

/**
 * Accept one client on a service: schedule, connect to the real server (the client waits unread).
 * `noDelayInherited`: the listening socket has TCP_NODELAY, which Linux copies to every accepted
 * socket (tcp_create_openreq_child clones the listener's tcp_sock), so no setsockopt per client.
 */
export function acceptRawTcp(host: ForwarderHost, svc: RuntimeService, client: Handle, noDelayInherited = false): void {
  const b = B!;
  peer.address = undefined;
  peer.port = undefined;
  client.getpeername(peer);
  const clientAddress = peer.address ?? "";
  const clientPort = peer.port ?? 0;
  const picked = host.pick(svc, clientAddress, clientPort);
  if (picked === null) {
    client.reset();
    return;
  }
  if (!noDelayInherited) client.setNoDelay(true);
  const backend = new b.TCP(b.SOCKET);
  backend.setNoDelay(true);
  const dest = picked.dest;
  const c = new RawConnection(host, svc, client, backend, dest, picked.template, clientAddress, clientPort);
  client.conn = c;
  backend.conn = c;
  host.table.add(c);
  const req = new b.TCPConnectWrap(); // address/port fields: only net's JS reads them
  req.oncomplete = onBackendConnect;
  const err = dest.address.includes(":") ? backend.connect6(req, dest.address, dest.connectPort) : backend.connect(req, dest.address, dest.connectPort);
  if (err !== 0) return onBackendConnect.call(req, err, backend);
  // Reading the real server starts now, not after the connect: libuv then watches the socket for
  // POLLIN|POLLOUT with one epoll_ctl ADD (+ one MOD at connect) instead of ADD, EEXIST, MOD. libuv
  // completes the connect (onBackendConnect) before it delivers any read of this socket.
  c.inBuf = takeRelayBuffer();
  c.outBuf = takeRelayBuffer();
  if (!startReading(c, backend, c.outBuf, onBackendRead)) fail(c);
}

const kAccept = Symbol("lvsAccept");
interface ListenHandle {
  onconnection: (this: ListenHandle, err: number, client: Handle) => void;
  setNoDelay?: (on: boolean) => number;
  [kAccept]?: { host: ForwarderHost; svc: RuntimeService; noDelay: boolean };
}

function onConnection(this: ListenHandle, err: number, client: Handle): void {
  const a = this[kAccept];
  if (err !== 0 || !client || !a) return;
  acceptRawTcp(a.host, a.svc, client, a.noDelay);
}

/**
 * Takes over accepting on a listening net.Server: its handle hands accepted TCP handles to
 * acceptRawTcp instead of wrapping them in net.Socket. Works for a server sharing a cluster
 * primary's socket too (the handle is the same kind). Returns false when not possible.
 */
export function takeOverAccept(server: net.Server, host: ForwarderHost, svc: RuntimeService): boolean {
  if (B === null) return false;
  const handle = (server as unknown as { _handle?: ListenHandle | null })._handle;
  if (!handle || typeof handle.onconnection !== "function") return false;
  // TCP_NODELAY once on the listening socket (also a cluster primary's shared one: every worker wants
  // it): accepted sockets inherit it. HAProxy sets it per accepted socket, one syscall more.
  const noDelay = typeof handle.setNoDelay === "function" && handle.setNoDelay(true) === 0;
  handle[kAccept] = { host, svc, noDelay };
  handle.onconnection = onConnection;
  return true;
}
