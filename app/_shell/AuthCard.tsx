import type { ReactNode } from "react";

/** The centred card of the sign-in and setup pages. */
export function AuthCard({ title, subtitle, testId, children }: { title: string; subtitle: string; testId: string; children: ReactNode }) {
  return (
    <div className="flex flex-1 items-start justify-center px-6 py-16" data-testid={testId}>
      <div className="w-full max-w-sm rounded-md border border-slate-200 bg-white px-6 py-5 shadow-sm">
        <h1 className="text-lg font-semibold tracking-tight text-slate-900">{title}</h1>
        <p className="mt-1 text-sm text-slate-500">{subtitle}</p>
        <div className="mt-4">{children}</div>
      </div>
    </div>
  );
}

export const inputClass =
  "h-8 rounded border border-slate-300 bg-white px-2.5 text-sm text-slate-900 placeholder:text-slate-400 hover:border-slate-400 focus:border-sky-500 aria-invalid:border-red-400";
export const buttonClass =
  "h-8 rounded bg-sky-600 px-3 text-sm font-medium text-white shadow-sm hover:bg-sky-500 disabled:cursor-wait disabled:opacity-60";

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="flex flex-col gap-1">
      <span className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</span>
      {children}
    </label>
  );
}
