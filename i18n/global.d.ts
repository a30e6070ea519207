import type en from "../messages/en.json";
import type { Locale } from "./locales.ts";

// Typed message keys: English is the reference catalogue; app/messages.test.ts keeps zh in step.
declare module "next-intl" {
  interface AppConfig {
    Locale: Locale;
    Messages: typeof en;
  }
}
