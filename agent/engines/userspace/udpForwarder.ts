/**
 * UDP forwarding on one VIP:port socket. A flow per client address:port (the kernel's UDP connection)
 * gets its own socket connected to the scheduled real server; replies go back from the VIP socket.
 * Each datagram counts as one packet. With one-packet scheduling (`-o`) every datagram is scheduled on
 * its own and counted as a connection, and no flow appears in the connection table (the kernel frees
 * such connections at once); the reply sockets are still kept per client and real server until idle.
 */
import dgram from "node:dgram";
import type { ConnEntry } from "./connectionTable.ts";
import type { ForwarderHost } from "./host.ts";
import type { RuntimeDestination, RuntimeService } from "./runtime.ts";
import { proxyV2Header } from "./proxyProtocol.ts";

interface Flow {
  sock: dgram.Socket;
  dest: RuntimeDestination;
  entry: ConnEntry | null;
  ready: boolean;
  pending: Buffer[];
  header: Buffer | null;
  lastSeen: number;
}

const MAX_PENDING = 64;

export class UdpListener {
  private readonly flows = new Map<string, Flow>();
  private readonly opsFlows = new Map<string, Flow>();
  private closed = false;
  /** the service was removed: existing flows keep forwarding until they expire, no new flow starts */
  private onDrained: (() => void) | null = null;

  constructor(
    private readonly host: ForwarderHost,
    private svc: RuntimeService,
    readonly socket: dgram.Socket,
  ) {
    socket.on("message", (msg, rinfo) => this.onMessage(msg, rinfo.address, rinfo.port));
  }

  private onMessage(msg: Buffer, address: string, port: number): void {
    const svc = this.svc;
    if (this.onDrained !== null) {
      const flow = this.flows.get(`${address}|${port}`);
      if (flow === undefined) return; // the service is gone: like IPVS, only known connections are forwarded
      if (flow.entry) flow.entry.seen = true;
      this.send(flow, msg);
      return;
    }
    if (svc.config.onePacket) {
      const picked = this.host.pickOnePacket(svc, address, port);
      if (picked === null) return;
      const key = `${address}|${port}|${picked.dest.address}|${picked.dest.port}`;
      let flow = this.opsFlows.get(key);
      if (!flow) {
        flow = this.open(picked.dest, null, address, port);
        this.opsFlows.set(key, flow);
      }
      flow.lastSeen = this.host.now();
      this.send(flow, msg);
      return;
    }
    const key = `${address}|${port}`;
    let flow = this.flows.get(key);
    if (flow === undefined) {
      const picked = this.host.pick(svc, address, port);
      if (picked === null) return;
      const entry: ConnEntry = {
        protocol: "udp",
        svc,
        dest: picked.dest,
        template: picked.template,
        clientAddress: address,
        clientPort: port,
        state: "UDP",
        active: false,
        since: this.host.now(),
        seen: false,
        abort: () => {
          this.flows.delete(key);
          f.sock.close();
          if (this.onDrained !== null && this.flows.size === 0) this.finishDrain();
        },
      };
      const f = this.open(picked.dest, entry, address, port);
      flow = f;
      this.flows.set(key, f);
      this.host.table.add(entry);
    } else if (flow.entry) {
      flow.entry.seen = true;
    }
    this.send(flow, msg);
  }

  private send(flow: Flow, msg: Buffer): void {
    const d = flow.dest;
    d.inPkts++;
    d.inBytes += msg.length;
    const out = flow.header ? Buffer.concat([flow.header, msg]) : msg;
    if (flow.ready) flow.sock.send(out);
    else if (flow.pending.length < MAX_PENDING) flow.pending.push(out);
  }

  private open(dest: RuntimeDestination, entry: ConnEntry | null, address: string, port: number): Flow {
    const svc = this.svc;
    const sock = dgram.createSocket(svc.key.family === "inet6" ? "udp6" : "udp4");
    const flow: Flow = {
      sock,
      dest,
      entry,
      ready: false,
      pending: [],
      header: svc.proxyProtocol
        ? proxyV2Header("udp", svc.key.family, { address, port }, { address: svc.key.address, port: svc.key.port })
        : null,
      lastSeen: this.host.now(),
    };
    const vip = this.socket;
    sock.on("error", () => {
      dest.failures++;
      svc.failures++;
    });
    sock.on("message", (m) => {
      dest.outPkts++;
      dest.outBytes += m.length;
      if (flow.entry) {
        flow.entry.seen = true;
        if (flow.entry.template) flow.entry.template.assured = true;
      }
      if (!this.closed) vip.send(m, port, address);
    });
    sock.connect(dest.connectPort, dest.address, () => {
      flow.ready = true;
      for (const m of flow.pending) sock.send(m);
      flow.pending.length = 0;
    });
    return flow;
  }

  /** Close one-packet reply sockets idle for longer than the UDP timeout. */
  sweep(now: number, udpTimeoutMs: number): void {
    for (const [k, f] of this.opsFlows) {
      if (now - f.lastSeen >= udpTimeoutMs) {
        this.opsFlows.delete(k);
        f.sock.close();
      }
    }
  }

  /**
   * The service was removed. Returns false when nothing is left to forward (the socket is closed now);
   * otherwise the socket stays bound for the existing flows and `drained` runs once the last expired.
   */
  drain(drained: () => void): boolean {
    for (const f of this.opsFlows.values()) f.sock.close();
    this.opsFlows.clear();
    if (this.flows.size === 0) {
      this.close();
      return false;
    }
    this.onDrained = drained;
    return true;
  }

  /** The service came back while draining: new flows are scheduled by `svc` again (old flows keep theirs). */
  revive(svc: RuntimeService): void {
    this.svc = svc;
    this.onDrained = null;
  }

  private finishDrain(): void {
    const done = this.onDrained;
    this.onDrained = null;
    this.close();
    done?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    for (const f of this.opsFlows.values()) f.sock.close();
    this.opsFlows.clear();
  }
}
