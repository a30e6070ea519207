/**
 * A gentle, bounded traffic generator for the demo: every `tickMs` it starts a few new HTTP
 * connections to the HTTP VIP and sends a few datagrams to the UDP VIP from several client
 * addresses. The rate follows a slow wave (so charts move) and never exceeds `maxPerTick`; at
 * most `maxInFlight` HTTP requests are open at once, so a stuck VIP cannot pile work up.
 */
import dgram from "node:dgram";
import http from "node:http";

export interface TrafficOptions {
  http: { address: string; port: number };
  udp: { address: string; port: number; clients: readonly string[] };
  tickMs?: number;
  /** new HTTP requests per tick at the top of the wave */
  maxPerTick?: number;
  maxInFlight?: number;
  /** wave period (ms) */
  periodMs?: number;
  now?: () => number;
}

export interface TrafficStats {
  httpSent: number;
  httpOk: number;
  httpFailed: number;
  udpSent: number;
  udpReplies: number;
}

export class TrafficGenerator {
  readonly stats: TrafficStats = { httpSent: 0, httpOk: 0, httpFailed: 0, udpSent: 0, udpReplies: 0 };
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private tickNo = 0;
  private readonly sockets: dgram.Socket[] = [];
  private readonly agent = new http.Agent({ keepAlive: false, maxSockets: 64 });

  constructor(private readonly o: TrafficOptions) {}

  async start(): Promise<void> {
    for (const address of this.o.udp.clients) {
      const s = dgram.createSocket("udp4");
      s.on("message", () => this.stats.udpReplies++);
      s.on("error", () => {});
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.bind(0, address, () => (s.off("error", reject), resolve()));
      });
      this.sockets.push(s);
    }
    this.timer = setInterval(() => this.tick(), this.o.tickMs ?? 250);
    this.timer.unref();
  }

  /** requests this tick: 1..maxPerTick following a sine wave */
  perTick(): number {
    const max = this.o.maxPerTick ?? 4;
    const t = (this.o.now ?? Date.now)();
    const wave = (Math.sin((2 * Math.PI * t) / (this.o.periodMs ?? 120_000)) + 1) / 2;
    return 1 + Math.round(wave * (max - 1));
  }

  private tick(): void {
    this.tickNo++;
    const n = this.perTick();
    for (let i = 0; i < n && this.inFlight < (this.o.maxInFlight ?? 32); i++) this.request();
    // UDP: one datagram per tick from the next client address
    if (this.sockets.length) {
      const s = this.sockets[this.tickNo % this.sockets.length]!;
      s.send(`ping ${this.tickNo}`, this.o.udp.port, this.o.udp.address);
      this.stats.udpSent++;
    }
  }

  private request(): void {
    this.inFlight++;
    this.stats.httpSent++;
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      this.inFlight--;
      if (ok) this.stats.httpOk++;
      else this.stats.httpFailed++;
    };
    const req = http.get({ host: this.o.http.address, port: this.o.http.port, path: "/", agent: this.agent, timeout: 3000 }, (res) => {
      res.resume();
      res.on("end", () => done(res.statusCode === 200));
      res.on("error", () => done(false));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => done(false));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.agent.destroy();
    for (const s of this.sockets) await new Promise<void>((r) => s.close(() => r()));
    this.sockets.length = 0;
  }
}
