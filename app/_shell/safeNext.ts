/**
 * The path to return to after sign-in: only a same-origin path, judged the way a browser will read it.
 * The value is resolved against a placeholder origin with the WHATWG URL parser (which, like browsers,
 * drops tabs and newlines and reads `\` as `/`), and kept only if it stays on that origin; it is
 * returned as the parsed path + query + fragment, so what the browser navigates to is what was checked.
 * Control characters and anything else (absolute, protocol-relative, `/\t/host`) become "/".
 */
const hasControl = (s: string) => Array.from(s).some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
const PLACEHOLDER = "http://placeholder.invalid";

export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.includes("\\") || hasControl(next)) return "/";
  let url: URL;
  try {
    url = new URL(next, PLACEHOLDER);
  } catch {
    return "/";
  }
  if (url.origin !== PLACEHOLDER) return "/";
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith("//") ? "/" : path;
}
