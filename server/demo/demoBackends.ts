/**
 * The demo's real servers: tiny HTTP servers (GET /health → 200, anything else → a short page
 * after 0.1-0.7 s, so connections overlap and wlc has ActiveConn to weigh) and UDP echo servers.
 */
import dgram from "node:dgram";
import http from "node:http";

export interface DemoBackends {
  /** stops one HTTP real server (its address), as if it died; for demos of health checks and tests */
  stopHttp(address: string): Promise<void>;
  close(): Promise<void>;
}

function listenHttp(address: string, port: number, name: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.url === "/health") return void res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
    // 100-700 ms of "work" (so ActiveConn is visible and wlc has something to weigh), then a small body
    const body = `hello from ${name} (${address}:${port})\n`.repeat(8);
    setTimeout(() => res.writeHead(200, { "content-type": "text/plain", connection: "close" }).end(body), 100 + ((req.socket.remotePort ?? 0) % 600));
  });
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => (server.off("error", reject), resolve(server)));
  });
}

function listenUdp(address: string, port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket("udp4");
  socket.on("message", (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, address, () => (socket.off("error", reject), resolve(socket)));
  });
}

/** Starts every backend; if one cannot listen (port taken), the ones started are closed and the error names it. */
export async function startDemoBackends(o: { http: { addresses: readonly string[]; port: number }; udp: { addresses: readonly string[]; port: number } }): Promise<DemoBackends> {
  const https: http.Server[] = [];
  const udps: dgram.Socket[] = [];
  const close = async () => {
    for (const s of https) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    for (const u of udps) await new Promise<void>((r) => u.close(() => r()));
  };
  try {
    for (const [i, a] of o.http.addresses.entries()) https.push(await listenHttp(a, o.http.port, `web-${i + 1}`));
    for (const a of o.udp.addresses) udps.push(await listenUdp(a, o.udp.port));
  } catch (e) {
    await close();
    throw new Error(`demo backends: ${(e as Error).message}`);
  }
  const stopHttp = async (address: string) => {
    const i = https.findIndex((s) => (s.address() as { address: string } | null)?.address === address);
    if (i < 0) throw new Error(`demo backends: no HTTP backend on ${address}`);
    const [s] = https.splice(i, 1);
    s!.closeAllConnections();
    await new Promise((r) => s!.close(r));
  };
  return { close, stopHttp };
}
