import "@xyflow/react/dist/style.css";
import "./globals.css";
import type { Metadata } from "next";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { localeTags } from "../i18n/locales.ts";
import { Header } from "./_shell/Header.tsx";
import { Providers } from "./providers.tsx";
import { THEME_SCRIPT } from "./_shell/theme.ts";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("common");
  const product = t("productName");
  return { title: { default: product, template: `%s · ${product}` }, description: t("tagline") };
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await getLocale();
  const t = await getTranslations("common");
  return (
    <html lang={localeTags[locale]} suppressHydrationWarning>
      <head>
        {/* before the first paint: the saved theme, or the OS preference (no light flash in the dark) */}
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body className="flex min-h-full flex-col">
        <NextIntlClientProvider>
          <Providers>
            <a href="#content" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-1 focus:text-sm">
              {t("skipToContent")}
            </a>
            <Header />
            <main id="content" className="flex min-h-0 flex-1 flex-col">
              {children}
            </main>
          </Providers>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
