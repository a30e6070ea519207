/**
 * A big ipvsadm-save rules file in the shape real tables have (issue 12 item 8: 2 MB, 4 001
 * services): `services` TCP services on loopback VIPs 127.100.x.y:port with `reals` masquerading real
 * servers each (addresses in 10/8 that no test connects to), plus the caller's own live lines first.
 * `variant` changes every weight, so a reload of variant 1 after 0 edits every destination.
 */
export function bigRules(o: { services: number; reals: number; port: number; variant?: number; head?: string }): string {
  const lines: string[] = [];
  if (o.head) lines.push(o.head.trimEnd());
  const w = 1 + (o.variant ?? 0);
  for (let i = 0; i < o.services; i++) {
    const vip = `127.100.${(i >> 8) & 255}.${(i & 255) + (i >> 16)}`;
    lines.push(`-A -t ${vip}:${o.port} -s wrr`);
    for (let r = 0; r < o.reals; r++) lines.push(`-a -t ${vip}:${o.port} -r 10.${(i >> 8) & 255}.${i & 255}.${r + 1}:8080 -m -w ${w + (r % 3)}`);
  }
  return `${lines.join("\n")}\n`;
}
