"use client";
import Link from "next/link";
import { useTranslations } from "next-intl";

/** "Design | Live | Deploy | Directors" tabs over a topology: the editor, its live view, plan/apply/revisions, agent enrollment. */
export function TopologyTabs({ id, active }: { id: string; active: "design" | "live" | "deploy" | "directors" }) {
  const t = useTranslations("live.tabs");
  const td = useTranslations("deploy");
  const tdir = useTranslations("directors");
  const tab = (key: "design" | "live" | "deploy" | "directors", href: string) => (
    <Link
      href={href}
      data-testid={`tab-${key}`}
      aria-current={active === key ? "page" : undefined}
      className={`border-b-2 px-3 py-1.5 text-sm font-medium ${active === key ? "border-sky-500 text-slate-900" : "border-transparent text-slate-500 hover:text-slate-800"}`}
    >
      {key === "deploy" ? td("tab") : key === "directors" ? tdir("tab") : t(key)}
    </Link>
  );
  return (
    <nav className="flex shrink-0 gap-1 border-b border-slate-200 bg-white px-3" data-testid="topology-tabs">
      {tab("design", `/topology/${id}`)}
      {tab("live", `/live/${id}`)}
      {tab("deploy", `/deploy/${id}`)}
      {tab("directors", `/directors/${id}`)}
    </nav>
  );
}
