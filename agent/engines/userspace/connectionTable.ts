/**
 * The engine's connection table, shaped like the kernel's (ip_vs_conn.c + ip_vs_proto_tcp.c timeouts):
 *  - live entries own sockets; TCP is SYN_RECV (inactive) until the real server accepted, then
 *    ESTABLISHED (active), FIN_WAIT / CLOSE_WAIT (inactive) after the first FIN; UDP flows are "UDP"
 *    and inactive, as in `ipvsadm -Ln`.
 *  - an idle live entry expires after the protocol timeout (`ipvsadm --set tcp tcpfin udp`: 900 120 300);
 *  - a closed TCP entry lingers, without sockets, as TIME_WAIT (2 min) or CLOSE (10 s, after a reset or
 *    failed connect) so InActConn reads like the kernel's; when it expires it unbinds from its
 *    destination (overload check) and releases its persistence template.
 * One sweep per engine tick; lingering entries sit in FIFO queues (constant timeout = sorted expiry).
 */
import type { ConnectionEntry, Protocol } from "../../../lvs/model.ts";
import type { ConnectionList, ConnectionPage } from "../../engine.ts";
import { unbindConnection } from "../../../lvs/schedulers/destination.ts";
import type { RuntimeDestination, RuntimeService } from "./runtime.ts";
import type { Template } from "./persistence.ts";

export interface Timeouts {
  /** seconds, ESTABLISHED idle timeout */
  tcp: number;
  /** seconds, FIN_WAIT */
  tcpfin: number;
  /** seconds, UDP idle timeout */
  udp: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { tcp: 900, tcpfin: 120, udp: 300 };
export const TIME_WAIT_MS = 120_000;
export const CLOSE_MS = 10_000;

export interface ConnEntry {
  protocol: Protocol;
  svc: RuntimeService;
  dest: RuntimeDestination;
  template: Template | null;
  clientAddress: string;
  clientPort: number;
  state: string;
  active: boolean;
  /** live: idle since (ms); lingering: expiry (ms) */
  since: number;
  /** set by the data path on every chunk/datagram; the sweep turns it into `since` */
  seen: boolean;
  /** live entries: drop the sockets (idle timeout / engine close) */
  abort(): void;
}

class Fifo {
  items: (ConnEntry | undefined)[] = [];
  head = 0;
  push(e: ConnEntry): void {
    this.items.push(e);
  }
  *values(): Iterable<ConnEntry> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i]!;
  }
  get size(): number {
    return this.items.length - this.head;
  }
  expire(now: number, release: (e: ConnEntry) => void): void {
    const items = this.items;
    while (this.head < items.length && items[this.head]!.since <= now) {
      const e = items[this.head]!;
      items[this.head++] = undefined;
      release(e);
    }
    if (this.head > 1024 && this.head * 2 > items.length) {
      this.items = items.slice(this.head);
      this.head = 0;
    }
  }
}

export class ConnectionTable {
  readonly live = new Set<ConnEntry>();
  private readonly timeWait = new Fifo();
  private readonly closed = new Fifo();

  constructor(public timeouts: Timeouts = DEFAULT_TIMEOUTS) {}

  get size(): number {
    return this.live.size + this.timeWait.size + this.closed.size;
  }

  add(e: ConnEntry): void {
    this.live.add(e);
  }

  /** The entry's sockets are gone: keep it as TIME_WAIT or CLOSE until its timeout. */
  linger(e: ConnEntry, graceful: boolean, now: number): void {
    if (!this.live.delete(e)) return;
    if (e.active) {
      e.active = false;
      e.dest.activeConns--;
      e.dest.inactConns++;
    }
    if (e.protocol === "udp") {
      this.release(e);
      return;
    }
    e.state = graceful ? "TIME_WAIT" : "CLOSE";
    e.since = now + (graceful ? TIME_WAIT_MS : CLOSE_MS);
    (graceful ? this.timeWait : this.closed).push(e);
  }

  private release(e: ConnEntry): void {
    unbindConnection(e.dest, e.active);
    if (e.template) e.template.controlled--;
    e.dest.releaseIfIdle();
  }

  private readonly releaseFn = (e: ConnEntry): void => this.release(e);

  /** Expire lingering entries and live entries idle for longer than their timeout. */
  sweep(now: number): void {
    this.timeWait.expire(now, this.releaseFn);
    this.closed.expire(now, this.releaseFn);
    for (const e of this.live) {
      if (e.seen) {
        e.seen = false;
        e.since = now;
      } else if (now - e.since >= this.idleTimeout(e) * 1000) {
        e.abort();
        this.linger(e, false, now);
      }
    }
  }

  private idleTimeout(e: ConnEntry): number {
    if (e.protocol === "udp") return this.timeouts.udp;
    return e.state === "ESTABLISHED" ? this.timeouts.tcp : this.timeouts.tcpfin;
  }

  /** Abort every live entry and forget everything (engine close). */
  clear(now: number): void {
    for (const e of [...this.live]) {
      e.abort();
      this.linger(e, false, now);
    }
    this.timeWait.expire(Infinity, this.releaseFn);
    this.closed.expire(Infinity, this.releaseFn);
  }

  entry(e: ConnEntry, now: number): ConnectionEntry {
    const live = this.live.has(e);
    const expiresMs = live ? e.since + this.idleTimeout(e) * 1000 - now : e.since - now;
    return {
      protocol: e.protocol,
      client: { address: e.clientAddress, port: e.clientPort },
      virtual: { address: e.svc.key.address, port: e.svc.key.port },
      destination: { address: e.dest.address, port: e.dest.port },
      state: e.state,
      expiresIn: Math.max(0, Math.ceil(expiresMs / 1000)),
    };
  }

  *all(): Iterable<ConnEntry> {
    yield* this.live;
    yield* this.timeWait.values();
    yield* this.closed.values();
  }
}

const text = (a: { address: string; port: number }): string =>
  a.address.includes(":") ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;

/** Applies the page's substring filters and window. */
export function pageOf(entries: Iterable<ConnectionEntry>, page: ConnectionPage): ConnectionList {
  const out: ConnectionEntry[] = [];
  let total = 0;
  for (const e of entries) {
    if (page.client && !text(e.client).includes(page.client)) continue;
    if (page.virtual && !text(e.virtual).includes(page.virtual)) continue;
    if (page.destination && !text(e.destination).includes(page.destination)) continue;
    if (total >= page.offset && out.length < page.limit) out.push(e);
    total++;
  }
  return { total, entries: out };
}
