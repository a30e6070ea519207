/**
 * `ipvsadm -L --timeout` (also with -n): one line, as ipvsadm 1.31 prints it (verified in the kernel lab):
 *   Timeout (tcp tcpfin udp): 900 120 300
 */
import type { IpvsTimeouts } from "../../model.ts";
import { ListingParseError } from "./common.ts";

const LINE = /^Timeout \(tcp tcpfin udp\): (\d+) (\d+) (\d+)$/;

export function parseTimeouts(text: string): IpvsTimeouts {
  const lines = text.split("\n").map((l) => l.trimEnd());
  const i = lines.findIndex((l) => l !== "");
  const m = i >= 0 ? LINE.exec(lines[i]!) : null;
  if (!m) throw new ListingParseError(i + 1, "expected \"Timeout (tcp tcpfin udp): TCP TCPFIN UDP\"", lines[i] ?? "");
  return { tcp: Number(m[1]), tcpfin: Number(m[2]), udp: Number(m[3]) };
}

export function renderTimeouts(t: IpvsTimeouts): string {
  return `Timeout (tcp tcpfin udp): ${t.tcp} ${t.tcpfin} ${t.udp}\n`;
}
