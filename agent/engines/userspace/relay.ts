/**
 * Zero-allocation relay of one direction of a TCP connection: reads land in a reusable buffer
 * (`onread` user buffers: no Buffer per read, no Readable stream machinery), are counted and written
 * to the other socket. When a write cannot complete synchronously the buffer belongs to that write,
 * so the next read gets a fresh one; when the writer is full, reading stops until 'drain'.
 *
 * Backend sockets use the documented `net.connect({ onread })`. Accepted client sockets have no such
 * option, so the same internal fields are found by their symbol descriptions; when they are missing
 * (another Node version) `attachRelay` falls back to 'data' events. Both paths count identically.
 */
import type net from "node:net";

export const RELAY_BUFFER_BYTES = 64 * 1024;

export interface RelayCounters {
  /** adds one packet and `n` bytes for this direction */
  count(n: number): void;
}

export interface Relay {
  buffer: () => Buffer;
  callback: (n: number, buf: Buffer) => boolean;
  /** both sockets are closed: the read buffer goes back to the pool unless a write still owns it */
  release: () => void;
}

/**
 * Read buffers are recycled: a fresh 64 KiB buffer per direction and connection was the largest
 * allocation of a short connection (GC and page faults at thousands of connections per second).
 */
const pool: Buffer[] = [];
export const RELAY_POOL_MAX = 128; // at most 8 MiB kept for reuse
const take = (): Buffer => pool.pop() ?? Buffer.allocUnsafe(RELAY_BUFFER_BYTES);

/** Buffers currently waiting in the pool (for tests). */
export function pooledRelayBuffers(): number {
  return pool.length;
}

/** The onread pair for reads from `source` written to `target`. */
export function createRelay(source: () => net.Socket, target: () => net.Socket, counters: RelayCounters): Relay {
  let buf: Buffer | null = null;
  let handedOff = false;
  return {
    buffer: () => {
      if (buf === null || handedOff) {
        buf = take();
        handedOff = false;
      }
      return buf;
    },
    release: () => {
      if (buf !== null && !handedOff && pool.length < RELAY_POOL_MAX) pool.push(buf);
      buf = null;
      handedOff = true; // never hand the released buffer out again from this relay
    },
    callback: (n: number, b: Buffer): boolean => {
      counters.count(n);
      const out = target();
      const ok = out.write(b.subarray(0, n));
      if (out.writableLength > 0) handedOff = true;
      if (!ok) {
        const src = source();
        out.once("drain", () => restartReading(src));
        return false;
      }
      return true;
    },
  };
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
 * Installs the relay on an accepted (paused) socket and starts reading. Returns false when the
 * internals are unavailable; the caller then uses 'data' events.
 */
export function attachRelay(s: net.Socket, relay: Relay): boolean {
  if (internals === undefined) internals = findInternals(s);
  if (internals === null) return false;
  const handle = (s as unknown as { _handle: { useUserBuffer(b: Buffer): void } | null })._handle;
  if (!handle) return false;
  const rec = s as unknown as Record<symbol, unknown>;
  const first = relay.buffer();
  rec[internals.kBuffer] = first;
  rec[internals.kBufferCb] = relay.callback;
  rec[internals.kBufferGen] = relay.buffer;
  handle.useUserBuffer(first);
  s.resume();
  return true;
}
