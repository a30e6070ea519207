/**
 * TCP forwarding for one accepted client: connect to the scheduled real server, then copy both ways
 * with backpressure (pause on a full write buffer, resume on drain), counting every read as a packet.
 * Half-close is forwarded (allowHalfOpen). A failed connect is counted and the client is reset at once.
 *
 * No allocation per chunk, and little per connection: one TcpConnection (which is also the
 * connection-table entry), two Relays, and event handlers that are module-level functions finding
 * their connection on the socket (no closures per connection; see relay.ts for why that matters).
 */
import net from "node:net";
import type { ConnEntry } from "./connectionTable.ts";
import type { ForwarderHost } from "./host.ts";
import type { Template } from "./persistence.ts";
import type { RuntimeDestination, RuntimeService } from "./runtime.ts";
import { proxyV2Header } from "./proxyProtocol.ts";
import { attachRelay, Relay, relayCallback } from "./relay.ts";

const kConn = Symbol("lvsConn");
type ConnSocket = net.Socket & { [kConn]?: TcpConnection };
const connOf = (s: net.Socket): TcpConnection => (s as ConnSocket)[kConn]!;

class TcpConnection implements ConnEntry {
  readonly protocol = "tcp" as const;
  state = "SYN_RECV";
  active = false;
  since: number;
  seen = false;
  clientClosed = false;
  backendClosed = false;
  connected = false;
  failed = false;
  /** both sockets closed: the entry lingers without them */
  done = false;
  /** relays and sockets are dropped once both sockets are closed: a lingering entry (TIME_WAIT, 2 min,
   * thousands per second) must stay small */
  inbound: Relay;
  outbound: Relay;
  client: net.Socket;
  backend: net.Socket;

  constructor(
    readonly host: ForwarderHost,
    readonly svc: RuntimeService,
    client: net.Socket,
    readonly dest: RuntimeDestination,
    readonly template: Template | null,
    readonly clientAddress: string,
    readonly clientPort: number,
  ) {
    this.since = host.now();
    this.client = client;
    this.inbound = new Relay(this, true);
    this.outbound = new Relay(this, false);
    this.backend = net.connect({
      host: dest.address,
      port: dest.connectPort,
      noDelay: true,
      allowHalfOpen: true,
      onread: { buffer: this.outbound.buffer, callback: relayCallback },
    });
    this.outbound.bind(this.backend, client);
    this.inbound.bind(client, this.backend);
    (client as ConnSocket)[kConn] = this;
    (this.backend as ConnSocket)[kConn] = this;
  }

  abort(): void {
    if (this.done) return; // a lingering entry must not keep the sockets alive
    this.client.destroy();
    this.backend.destroy();
  }

  finish(): void {
    if (!(this.clientClosed && this.backendClosed) || this.done) return;
    this.done = true;
    this.inbound.release();
    this.outbound.release();
    this.client = this.backend = DETACHED;
    this.inbound = this.outbound = DETACHED_RELAY;
    this.host.table.linger(this, this.connected && !this.failed, this.host.now());
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

/**
 * Forward `to` the FIN read from the other side. When `to` already sent its own FIN and has nothing
 * queued, closing it is the same on the wire as shutdown + close, without the shutdown syscall and
 * its request object (the kernel sends the FIN at close; nothing unread is left to turn it into a RST).
 */
function forwardFin(to: net.Socket, writer: Relay): void {
  if (to.readableEnded && to.writableLength === 0 && !writer.writing) to.destroy();
  else to.end();
}

function onClientError(this: net.Socket): void {
  const c = connOf(this);
  c.failed = true;
  c.backend.destroy();
}

function onClientClose(this: net.Socket): void {
  const c = connOf(this);
  c.clientClosed = true;
  if (!c.connected) c.backend.destroy();
  c.finish();
}

function onBackendError(this: net.Socket): void {
  const c = connOf(this);
  c.failed = true;
  if (!c.connected) {
    c.dest.failures++;
    c.svc.failures++;
    c.client.resetAndDestroy();
  } else {
    c.client.destroy();
  }
}

function onBackendClose(this: net.Socket): void {
  const c = connOf(this);
  c.backendClosed = true;
  c.finish();
}

function onClientEnd(this: net.Socket): void {
  const c = connOf(this);
  c.toInactive(c.state === "CLOSE_WAIT" ? "LAST_ACK" : "FIN_WAIT");
  forwardFin(c.backend, c.inbound);
}

function onBackendEnd(this: net.Socket): void {
  const c = connOf(this);
  c.toInactive(c.state === "FIN_WAIT" ? "LAST_ACK" : "CLOSE_WAIT");
  forwardFin(c.client, c.outbound);
}

function onBackendConnect(this: net.Socket): void {
  const c = connOf(this);
  const { client, backend, svc } = c;
  if (c.clientClosed) {
    backend.destroy();
    return;
  }
  c.connected = true;
  c.state = "ESTABLISHED";
  if (c.template) c.template.assured = true;
  c.active = true;
  c.dest.inactConns--;
  c.dest.activeConns++;
  if (svc.proxyProtocol) {
    const local = { address: client.localAddress ?? svc.key.address, port: client.localPort ?? svc.key.port };
    backend.write(proxyV2Header("tcp", svc.key.family, { address: c.clientAddress, port: c.clientPort }, local));
  }
  if (!attachRelay(client, c.inbound)) {
    // fallback without user buffers: 'data' events, same counting and backpressure
    client.on("data", (chunk: Buffer) => {
      c.dest.inPkts++;
      c.dest.inBytes += chunk.length;
      c.seen = true;
      if (!backend.write(chunk)) client.pause();
    });
    backend.on("drain", () => client.resume());
    client.resume();
  }
  client.on("end", onClientEnd);
  backend.on("end", onBackendEnd);
}

export function acceptTcp(host: ForwarderHost, svc: RuntimeService, client: net.Socket): void {
  const clientAddress = client.remoteAddress ?? "";
  const clientPort = client.remotePort ?? 0;
  const picked = host.pick(svc, clientAddress, clientPort);
  if (picked === null) {
    client.on("error", noop);
    client.resetAndDestroy();
    return;
  }
  const c = new TcpConnection(host, svc, client, picked.dest, picked.template, clientAddress, clientPort);
  host.table.add(c);
  client.on("error", onClientError);
  client.on("close", onClientClose);
  c.backend.on("error", onBackendError);
  c.backend.on("close", onBackendClose);
  c.backend.on("connect", onBackendConnect);
}

function noop(): void {}

/** stands in for the sockets of a closed connection (never used: every event has fired by then) */
const DETACHED = new net.Socket();
const DETACHED_RELAY = new Relay({ dest: { inPkts: 0, inBytes: 0, outPkts: 0, outBytes: 0 }, seen: false }, true);
