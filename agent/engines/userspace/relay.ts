/**
 * Zero-allocation relay of one direction of a TCP connection: reads land in a reusable buffer
 * (`onread` user buffers: no Buffer per read, no Readable stream machinery), are counted and written
 * to the other socket. When a write cannot complete synchronously the buffer belongs to that write,
 * so the next read gets a fresh one; when the writer is full, reading stops until 'drain'.
 *
 * Backend sockets use the documented `net.connect({ onread })`. Accepted client sockets have no such
 * option, so the same internal fields are found by their symbol descriptions; when they are missing
 * (another Node version) `attachRelay` falls back to 'data' events. Both paths count identically.
 *
 * Per connection this costs one `Relay` object per direction and one bound function (Node calls the
 * buffer generator without a receiver); the read callback is one module-level function that finds its
 * relay on the socket. Closures per connection were measurably slower under the tsx loader, which
 * wraps every named closure in `Object.defineProperty(fn, "name")` (~0.25 µs each, and megamorphic
 * function maps afterwards).
 */
import type net from "node:net";

export const RELAY_BUFFER_BYTES = 64 * 1024;

/** The counters of one connection: the relay adds packets/bytes to the destination and marks it seen. */
export interface RelayOwner {
  dest: { inPkts: number; inBytes: number; outPkts: number; outBytes: number };
  seen: boolean;
}

/**
 * Read buffers are recycled: a fresh 64 KiB buffer per direction and connection was the largest
 * allocation of a short connection (GC and page faults at thousands of connections per second).
 * Each pooled buffer keeps the view of its last read length (`ReadSlot.bytes`): the write needs a
 * Buffer of exactly the bytes read, and `subarray` builds a new typed array (~0.3 µs, plus its
 * garbage) where requests and responses of one size repeat read after read and connection after
 * connection.
 */
export class ReadSlot {
  // two views: a pooled buffer serves client reads in one connection and real-server reads in the
  // next (one LIFO pool), so a request size and a response size alternate on it
  private view: Buffer;
  private other: Buffer;
  constructor(readonly buf: Buffer) {
    this.view = this.other = buf.subarray(0, 0);
  }

  /** the first `n` bytes of the buffer (the same object as long as `n` is one of the last two sizes) */
  bytes(n: number): Buffer {
    const v = this.view;
    if (v.length === n) return v;
    const o = this.other;
    this.other = v;
    return (this.view = o.length === n ? o : this.buf.subarray(0, n));
  }
}

const pool: ReadSlot[] = [];
export const RELAY_POOL_MAX = 128; // at most 8 MiB kept for reuse

/** Buffers currently waiting in the pool (for tests). */
export function pooledRelayBuffers(): number {
  return pool.length;
}

/** A 64 KiB read buffer from the pool (rawTcpForwarder.ts). */
export function takeRelayBuffer(): ReadSlot {
  return pool.pop() ?? new ReadSlot(Buffer.allocUnsafe(RELAY_BUFFER_BYTES));
}

/** Back to the pool: no read or queued write may use it any more. */
export function releaseRelayBuffer(b: ReadSlot): void {
  if (pool.length < RELAY_POOL_MAX) pool.push(b);
}

const kRelay = Symbol("lvsRelay");
type WithRelay = net.Socket & { [kRelay]?: Relay };

/** One direction: reads from `source` are counted (in = client → real server) and written to `target`. */
export class Relay {
  source: net.Socket | null = null;
  target: net.Socket | null = null;
  private slot: ReadSlot | null = null;
  private handedOff = false;
  /** a direct write (see `directWrite`) is still queued in libuv; reading waits for it */
  writing = false;
  /** the buffer generator Node calls (without a receiver) after every read */
  readonly buffer: () => Buffer;

  constructor(
    private readonly owner: RelayOwner,
    private readonly inbound: boolean,
  ) {
    this.buffer = this.nextBuffer.bind(this);
  }

  /** Reads from `source` land here (net.connect({ onread }) or attachRelay). */
  bind(source: net.Socket, target: net.Socket): void {
    this.source = source;
    this.target = target;
    (source as WithRelay)[kRelay] = this;
  }

  nextBuffer(): Buffer {
    if (this.slot === null || this.handedOff) {
      this.slot = takeRelayBuffer();
      this.handedOff = false;
    }
    return this.slot.buf;
  }

  /** both sockets are closed: the read buffer goes back to the pool unless a write still owns it */
  release(): void {
    if (this.slot !== null && !this.handedOff) releaseRelayBuffer(this.slot);
    this.slot = null;
    this.handedOff = true; // never hand the released buffer out again from this relay
    this.source = null;
    this.target = null;
  }

  /** one read of `n` bytes into `b`: count, write; false stops reading until the target drains */
  onRead(n: number, b: Buffer): boolean {
    const d = this.owner.dest;
    if (this.inbound) {
      d.inPkts++;
      d.inBytes += n;
    } else {
      d.outPkts++;
      d.outBytes += n;
    }
    this.owner.seen = true;
    const out = this.target!;
    const chunk = b.subarray(0, n);
    if (out.writableLength === 0) {
      const r = directWrite(out, chunk, this);
      if (r === WRITTEN) return true;
      if (r === QUEUED) {
        this.handedOff = true; // libuv writes from this buffer later
        this.writing = true;
        return false; // read again once it is written (onDirectWriteDone)
      }
    }
    const ok = out.write(chunk);
    if (out.writableLength > 0) this.handedOff = true;
    if (!ok) {
      const src = this.source!;
      out.once("drain", () => restartReading(src));
      return false;
    }
    return true;
  }
}

/**
 * Writes without the Writable stream machinery (no WriteWrap callback, no nextTick per write): the
 * same native `writeBuffer` call Node's own `Socket.write` ends in, used only while the stream has
 * nothing queued (so the byte order is kept). NOT_DONE = not possible here (internals missing,
 * socket not writable, or the write failed: the stream path then retries it and reports the error
 * as before).
 */
const WRITTEN = 0;
const QUEUED = 1;
const NOT_DONE = 2;
interface WriteReq {
  handle: unknown;
  oncomplete: (this: WriteReq, status: number) => void;
  async: boolean;
  bytes: number;
  buffer: Buffer | null;
  callback: null;
  relay: Relay | null;
}
interface StreamWrap {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}
let streamWrap: StreamWrap | null | undefined;

function loadStreamWrap(): StreamWrap | null {
  try {
    const b = (process as unknown as { binding(n: string): Partial<StreamWrap> }).binding("stream_wrap");
    if (typeof b.WriteWrap === "function" && b.streamBaseState && typeof b.kLastWriteWasAsync === "number") return b as StreamWrap;
  } catch {
    // not available: the stream path is used
  }
  return null;
}

function onDirectWriteDone(this: WriteReq, status: number): void {
  const relay = this.relay!;
  this.relay = null;
  this.buffer = null;
  relay.writing = false;
  if (status < 0) relay.target?.destroy(new Error(`write failed (libuv status ${status})`));
  else if (relay.source) restartReading(relay.source);
}

function directWrite(out: net.Socket, chunk: Buffer, relay: Relay): number {
  if (streamWrap === undefined) streamWrap = loadStreamWrap();
  const handle = (out as unknown as { _handle: { writeBuffer?(req: WriteReq, b: Buffer): number } | null })._handle;
  if (streamWrap === null || !handle || typeof handle.writeBuffer !== "function" || out.connecting || !out.writable) return NOT_DONE;
  const req = new streamWrap.WriteWrap();
  req.handle = handle;
  req.oncomplete = onDirectWriteDone;
  req.async = false;
  req.bytes = 0;
  req.buffer = null;
  req.callback = null;
  req.relay = null;
  if (handle.writeBuffer(req, chunk) !== 0) return NOT_DONE;
  if (streamWrap.streamBaseState[streamWrap.kLastWriteWasAsync] === 0) return WRITTEN;
  req.async = true;
  req.buffer = chunk;
  req.relay = relay;
  return QUEUED;
}

/** The `onread.callback` of every relayed socket (Node calls it with the socket as `this`). */
export function relayCallback(this: net.Socket, n: number, b: Buffer): boolean {
  return (this as WithRelay)[kRelay]!.onRead(n, b);
}

/** Restart a socket whose user-buffer read loop was stopped by returning false. */
export function restartReading(s: net.Socket): void {
  if (!s.destroyed) (s as unknown as { _read(n: number): void })._read(0);
}

interface Internals {
  kBuffer: symbol;
  kBufferCb: symbol;
  kBufferGen: symbol;
}
let internals: Internals | null | undefined;

function findInternals(s: net.Socket): Internals | null {
  const bySym = new Map(Object.getOwnPropertySymbols(s).map((x) => [x.description, x]));
  const kBuffer = bySym.get("kBuffer");
  const kBufferCb = bySym.get("kBufferCb");
  const kBufferGen = bySym.get("kBufferGen");
  const handle = (s as unknown as { _handle?: { useUserBuffer?: unknown } })._handle;
  if (!kBuffer || !kBufferCb || !kBufferGen || typeof handle?.useUserBuffer !== "function") return null;
  return { kBuffer, kBufferCb, kBufferGen };
}

/**
 * Installs the relay (already bound to this socket as its source) on an accepted, paused socket and
 * starts reading. Returns false when the internals are unavailable; the caller then uses 'data' events.
 */
export function attachRelay(s: net.Socket, relay: Relay): boolean {
  if (internals === undefined) internals = findInternals(s);
  if (internals === null) return false;
  const handle = (s as unknown as { _handle: { useUserBuffer(b: Buffer): void } | null })._handle;
  if (!handle) return false;
  const rec = s as unknown as Record<symbol, unknown>;
  const first = relay.nextBuffer();
  rec[internals.kBuffer] = first;
  rec[internals.kBufferCb] = relayCallback;
  rec[internals.kBufferGen] = relay.buffer;
  handle.useUserBuffer(first);
  s.resume();
  return true;
}
