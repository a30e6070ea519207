/** Opens N idle TCP connections to HOST:PORT, prints "open N", holds them until stdin closes. Usage: idleConns.ts HOST PORT N */
import net from "node:net";

const [host = "127.0.0.1", portText = "8080", nText = "10000"] = process.argv.slice(2);
const n = Number(nText);
const sockets: net.Socket[] = [];
let open = 0;
let failed = 0;
for (let i = 0; i < n; i += 500) {
  await Promise.all(
    Array.from({ length: Math.min(500, n - i) }, () => new Promise<void>((resolve) => {
      const s = net.connect({ host, port: Number(portText) }, () => { open++; resolve(); });
      s.on("error", () => { failed++; resolve(); });
      sockets.push(s);
    })),
  );
}
process.stdout.write(`open ${open} failed ${failed}\n`);
process.stdin.resume();
process.stdin.on("end", () => { for (const s of sockets) s.destroy(); process.exit(0); });
