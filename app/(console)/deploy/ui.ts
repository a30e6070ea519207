/** Small shared bits of the deploy views: button and badge classes, date parsing. */
export const btn = "h-7 rounded border border-slate-300 bg-white px-2.5 text-xs font-medium text-slate-800 hover:bg-slate-100 disabled:cursor-not-allowed disabled:opacity-40";
export const primaryBtn = "h-7 rounded bg-sky-600 px-3 text-xs font-medium text-white hover:bg-sky-700 disabled:cursor-not-allowed disabled:opacity-40";
export const dangerBtn = "h-7 rounded bg-red-600 px-3 text-xs font-medium text-white hover:bg-red-700 disabled:cursor-not-allowed disabled:opacity-40";
export const card = "rounded-md border border-slate-200 bg-white shadow-sm";
export const smallInput = "h-7 rounded border border-slate-300 px-1.5 text-xs";

/** tRPC sends dates as ISO strings (no transformer): accept both. */
export function toDate(value: Date | string | null | undefined): Date | null {
  if (value == null) return null;
  return value instanceof Date ? value : new Date(value);
}

const TONES: Record<string, string> = {
  applied: "bg-emerald-100 text-emerald-800", succeeded: "bg-emerald-100 text-emerald-800", drained: "bg-emerald-100 text-emerald-800", enabled: "bg-emerald-100 text-emerald-800",
  failed: "bg-red-100 text-red-800", timeout: "bg-red-100 text-red-800", "timed-out": "bg-amber-100 text-amber-900",
  offline: "bg-amber-100 text-amber-900", skipped: "bg-slate-100 text-slate-600", forced: "bg-amber-100 text-amber-900",
  running: "bg-sky-100 text-sky-800", applying: "bg-sky-100 text-sky-800", waiting: "bg-slate-100 text-slate-600", pending: "bg-slate-100 text-slate-600",
  draining: "bg-sky-100 text-sky-800", ramping: "bg-sky-100 text-sky-800",
};
export const tone = (status: string) => `rounded px-1.5 py-0.5 text-xs font-medium ${TONES[status] ?? "bg-slate-100 text-slate-600"}`;
