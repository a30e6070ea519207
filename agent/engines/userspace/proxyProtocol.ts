/** PROXY protocol v2 header (haproxy doc/proxy-protocol.txt §2.2): PROXY command, TCP or UDP, IPv4 or IPv6. */
import { parseIpv4, parseIpv6 } from "../../../lvs/schedulers/hash.ts";

const SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

function writeAddress(buf: Buffer, offset: number, family: "inet" | "inet6", address: string): void {
  if (family === "inet") {
    buf.writeUInt32BE(parseIpv4(address) >>> 0, offset);
    return;
  }
  const groups = parseIpv6(address) ?? [];
  for (let i = 0; i < 8; i++) buf.writeUInt16BE(groups[i] ?? 0, offset + i * 2);
}

export function proxyV2Header(
  protocol: "tcp" | "udp",
  family: "inet" | "inet6",
  source: { address: string; port: number },
  destination: { address: string; port: number },
): Buffer {
  const v4 = family === "inet";
  // an IPv4 client on an IPv6 socket arrives as ::ffff:a.b.c.d; both ends use the service's family
  const addrLen = v4 ? 12 : 36;
  const buf = Buffer.alloc(16 + addrLen);
  SIGNATURE.copy(buf, 0);
  buf[12] = 0x21; // version 2, PROXY
  buf[13] = (v4 ? 0x10 : 0x20) | (protocol === "tcp" ? 0x01 : 0x02);
  buf.writeUInt16BE(addrLen, 14);
  const a = v4 ? 4 : 16;
  writeAddress(buf, 16, family, source.address.replace(/^::ffff:(?=\d+\.)/, v4 ? "" : "::ffff:"));
  writeAddress(buf, 16 + a, family, destination.address);
  buf.writeUInt16BE(source.port, 16 + 2 * a);
  buf.writeUInt16BE(destination.port, 18 + 2 * a);
  return buf;
}
