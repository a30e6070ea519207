/**
 * Which topologies get a live card on the overview, and in what order: those whose directors run an
 * agent first (most online, then most enrolled), then the most recently changed. Drafts without any
 * agent come last. Sorting by name alone hid a running cluster behind a dozen drafts that sort
 * before it. Pure.
 */
export interface OverviewItem {
  id: string;
  name: string;
  updatedAt: string | Date;
  enrolledDirectors: number;
  onlineDirectors: number;
}

const time = (d: string | Date) => (typeof d === "string" ? Date.parse(d) : d.getTime());

export function overviewOrder<T extends OverviewItem>(items: readonly T[]): T[] {
  return [...items].sort(
    (a, b) =>
      b.onlineDirectors - a.onlineDirectors ||
      b.enrolledDirectors - a.enrolledDirectors ||
      time(b.updatedAt) - time(a.updatedAt) ||
      a.name.localeCompare(b.name),
  );
}
