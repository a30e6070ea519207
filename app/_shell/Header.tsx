import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { Logo } from "./Logo.tsx";
import { LanguageSwitch } from "./LanguageSwitch.tsx";
import { ThemeSwitch } from "./ThemeSwitch.tsx";
import { NavLinks } from "./NavLinks.tsx";
import { UserMenu } from "./UserMenu.tsx";

export async function Header() {
  const t = await getTranslations("common");
  return (
    <header
      data-testid="app-header"
      className="sticky top-0 z-40 flex h-12 shrink-0 items-center gap-6 border-b border-slate-800 bg-slate-900 px-4"
    >
      <Link href="/" className="flex items-center gap-2" data-testid="product-name" title={t("tagline")}>
        <Logo />
        <span className="text-sm font-semibold tracking-tight text-white">{t("productName")}</span>
      </Link>
      <NavLinks />
      <div className="ml-auto flex items-center gap-3">
        <ThemeSwitch />
        <LanguageSwitch />
        <UserMenu />
      </div>
    </header>
  );
}
