/** Compact numbers for overlays, tables and chart axes (SI prefixes, bytes in powers of 1000 like ipvsadm's K/M/G). */
const PREFIXES = ["", "k", "M", "G", "T", "P"] as const;

export function compact(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return "–";
  const sign = n < 0 ? "-" : "";
  let v = Math.abs(n);
  let i = 0;
  while (v >= 1000 && i < PREFIXES.length - 1) {
    v /= 1000;
    i++;
  }
  const text = i === 0 && Number.isInteger(v) ? String(v) : Number(v.toPrecision(digits)).toString();
  return `${sign}${text}${PREFIXES[i]}`;
}

export const bytesPerSecond = (n: number) => `${compact(n)}B/s`;

/** Edge width for a membership's conns/s relative to the busiest one: 1.5 px idle … 7 px busiest. */
export function trafficWidth(cps: number, maxCps: number): number {
  if (!(cps > 0) || !(maxCps > 0)) return 1.5;
  return Math.round((1.5 + 5.5 * Math.sqrt(Math.min(1, cps / maxCps))) * 10) / 10;
}

/** Duration text for MTBF/MTTR: "42 s", "3.5 min", "2.1 h", "4.0 d". */
export function duration(ms: number | null): string {
  if (ms === null) return "–";
  const s = ms / 1000;
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}
