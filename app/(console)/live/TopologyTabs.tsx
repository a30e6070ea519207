"use client";
import Link from "next/link";
import { useTranslations } from "next-intl";

/** "Design | Live" tabs over a topology: the editor and its live view. */
export function TopologyTabs({ id, active }: { id: string; active: "design" | "live" }) {
  const t = useTranslations("live.tabs");
  const tab = (key: "design" | "live", href: string) => (
    <Link
      href={href}
      data-testid={`tab-${key}`}
      aria-current={active === key ? "page" : undefined}
      className={`border-b-2 px-3 py-1.5 text-sm font-medium ${active === key ? "border-sky-500 text-slate-900" : "border-transparent text-slate-500 hover:text-slate-800"}`}
    >
      {t(key)}
    </Link>
  );
  return (
    <nav className="flex shrink-0 gap-1 border-b border-slate-200 bg-white px-3" data-testid="topology-tabs">
      {tab("design", `/topology/${id}`)}
      {tab("live", `/live/${id}`)}
    </nav>
  );
}
