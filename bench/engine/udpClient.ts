/**
 * UDP round-trip load: CONC sockets each ping-pong 64-byte datagrams with TARGET for SECONDS.
 * Prints JSON {rtts, perSec, p50us, p99us, lost}. Usage: udpClient.ts HOST PORT SECONDS CONC
 */
import dgram from "node:dgram";

const [host = "127.0.0.1", portText = "5300", secText = "4", concText = "32"] = process.argv.slice(2);
const port = Number(portText);
const ms = Number(secText) * 1000;
const conc = Number(concText);
const payload = Buffer.alloc(64, 97);
const samples: number[] = [];
let rtts = 0;
let lost = 0;
const deadline = performance.now() + ms;
const sockets: dgram.Socket[] = [];

await Promise.all(
  Array.from({ length: conc }, () => new Promise<void>((resolve) => {
    const s = dgram.createSocket("udp4");
    sockets.push(s);
    let sentAt = 0;
    let timer: NodeJS.Timeout | null = null;
    const send = (): void => {
      if (performance.now() >= deadline) return resolve();
      sentAt = performance.now();
      s.send(payload);
      timer = setTimeout(() => { lost++; send(); }, 500);
    };
    s.on("message", () => {
      if (timer) clearTimeout(timer);
      rtts++;
      if ((rtts & 7) === 0) samples.push(performance.now() - sentAt);
      send();
    });
    s.connect(port, host, send);
  })),
);
for (const s of sockets) s.close();
samples.sort((a, b) => a - b);
const q = (p: number): number => Math.round((samples[Math.floor(p * (samples.length - 1))] ?? 0) * 1000);
process.stdout.write(JSON.stringify({ rtts, perSec: rtts / (ms / 1000), p50us: q(0.5), p99us: q(0.99), lost }) + "\n");
