/**
 * The colour theme: "system" (the default) follows the OS (prefers-color-scheme, live), "light" and
 * "dark" pin it. The choice lives in localStorage; the `dark` class on <html> drives the `dark:`
 * variant (app/theme.css).
 */
export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];
export const THEME_KEY = "lvs-theme";

export function isTheme(v: unknown): v is Theme {
  return typeof v === "string" && (THEMES as readonly string[]).includes(v);
}

/** dark or not, for a choice and the OS preference */
export function isDark(theme: Theme, osDark: boolean): boolean {
  return theme === "dark" || (theme === "system" && osDark);
}

/** Runs in <head> before paint (kept tiny and dependency-free). */
export const THEME_SCRIPT = `(function(){try{var t=localStorage.getItem("${THEME_KEY}");var m=window.matchMedia("(prefers-color-scheme: dark)");var d=t==="dark"||((t!=="light")&&m.matches);document.documentElement.classList.toggle("dark",d);document.documentElement.dataset.theme=t||"system";}catch(e){}})();`;
