"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useTranslations } from "next-intl";
import { can } from "../../lvs/auth/permissions.ts";
import { isNavItemActive, navItems } from "./navItems.ts";
import { useSession } from "./useSession.ts";

export function NavLinks() {
  const t = useTranslations("nav");
  const pathname = usePathname() ?? "/";
  const { session } = useSession();
  if (!session) return null;
  return (
    <nav aria-label={t("label")} className="flex items-center gap-1" data-testid="main-nav">
      {navItems.filter((item) => !item.action || can(session.role, item.action)).map((item) => {
        const active = isNavItemActive(item, pathname);
        return (
          <Link
            key={item.href}
            href={item.href}
            data-testid={item.testId}
            aria-current={active ? "page" : undefined}
            className={
              "rounded px-2.5 py-1.5 text-sm font-medium transition-colors " +
              (active ? "bg-white/10 text-white" : "text-slate-400 hover:bg-white/5 hover:text-slate-100")
            }
          >
            {t(item.labelKey)}
          </Link>
        );
      })}
    </nav>
  );
}
