/**
 * One word for a director's state on the overview, the worst that applies:
 * not enrolled (a draft: no agent yet) < down (enrolled, offline) < behind (does not run its target
 * revision) < drift (runs it, but the table differs) < up. Pure; unit-tested.
 */
export type DirectorHealth = "not-enrolled" | "down" | "behind" | "drift" | "up";

export interface DirectorFacts {
  enrolled: boolean;
  online: boolean;
  appliedRevision: number | null;
  targetRevision: number | null;
  drifted: boolean;
}

export function directorHealth(d: DirectorFacts): DirectorHealth {
  if (!d.enrolled) return "not-enrolled";
  if (!d.online) return "down";
  if (d.targetRevision !== null && d.appliedRevision !== d.targetRevision) return "behind";
  if (d.drifted) return "drift";
  return "up";
}

export const HEALTH_CLASS: Record<DirectorHealth, string> = {
  "not-enrolled": "bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-300",
  down: "bg-red-100 text-red-700 dark:bg-red-950 dark:text-red-300",
  behind: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
  drift: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
  up: "bg-emerald-100 text-emerald-700 dark:bg-emerald-950 dark:text-emerald-300",
};

/** Sum of several series sampled on the same clock (history points of each service): one total per time. */
export function sumSeries(series: readonly (readonly { at: number; value: number }[])[]): { at: number; value: number }[] {
  const byAt = new Map<number, number>();
  for (const s of series) for (const p of s) byAt.set(p.at, (byAt.get(p.at) ?? 0) + p.value);
  return [...byAt.entries()].sort((a, b) => a[0] - b[0]).map(([at, value]) => ({ at, value }));
}
