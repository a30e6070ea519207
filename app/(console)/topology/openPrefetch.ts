/**
 * The editor's document requested by the page's HTML itself (issue 17): an inline script in
 * /topology/[id] sends topology.open as soon as the browser parses it, instead of ~0.2-0.9 s later
 * once the JavaScript has loaded and the editor's loader has mounted. The loader takes that answer
 * (once, for its id, within a minute of the page load), and asks through tRPC as before when there is
 * none or it failed (errors, a 401, keep their usual handling there).
 */

/** The stored topology with its document packed, as topology.open answers. */
export interface PrefetchedOpen {
  id: string;
  /** the parsed tRPC answer ({ result: { data } }), or null when the request failed */
  answer: Promise<{ result?: { data?: unknown } } | null>;
  /** performance.now() when it was sent */
  at: number;
}

declare global {
  interface Window {
    __lvsOpen?: PrefetchedOpen;
  }
}

/** a page open for longer is not "being loaded" any more: its answer may be stale, ask again */
const FRESH_MS = 60_000;

/** JSON inside a <script>: no "</script>", no line separators that end a JS string */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

/** The inline script for topology `id` (server render). */
export function openPrefetchScript(id: string): string {
  const url = `/api/trpc/topology.open?input=${encodeURIComponent(JSON.stringify({ id }))}`;
  return `window.__lvsOpen={id:${scriptJson(id)},at:performance.now(),answer:fetch(${scriptJson(url)},{credentials:"same-origin"}).then(function(r){return r.ok?r.json():null}).catch(function(){return null})};`;
}

/** The prefetched topology.open data for `id`, or null (none, another id, stale, failed). Takes it: a second call gets null. */
export async function takePrefetchedOpen(id: string): Promise<unknown> {
  if (typeof window === "undefined") return null;
  const p = window.__lvsOpen;
  if (!p || p.id !== id) return null;
  delete window.__lvsOpen;
  if (performance.now() - p.at > FRESH_MS) return null;
  const answer = await p.answer;
  return answer?.result?.data ?? null;
}
