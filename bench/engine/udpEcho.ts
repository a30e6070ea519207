/** UDP echo backends on 127.0.40.1-3:5300 for the benchmark (one process, three sockets). */
import dgram from "node:dgram";
import { BACKENDS, UDP_PORT } from "./configs.ts";

for (const a of BACKENDS) {
  const s = dgram.createSocket("udp4");
  s.on("message", (m, r) => s.send(m, r.port, r.address));
  s.bind(UDP_PORT, a);
}
process.stdout.write("ready\n");
