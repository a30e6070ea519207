/** A tiny line (SVG) of recent values: the shape matters, the scale is the figure beside it. */
export function Sparkline({ values, testId, className = "text-sky-600 dark:text-sky-400" }: { values: readonly number[]; testId?: string; className?: string }) {
  const w = 96;
  const h = 24;
  const max = Math.max(1e-9, ...values);
  const pts = values.map((v, i) => `${values.length < 2 ? 0 : (i / (values.length - 1)) * w},${h - 1 - (v / max) * (h - 2)}`).join(" ");
  return (
    <svg width={w} height={h} viewBox={`0 0 ${w} ${h}`} className={className} data-testid={testId} data-points={values.length} aria-hidden>
      {values.length > 1 && <polyline points={pts} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" />}
    </svg>
  );
}
