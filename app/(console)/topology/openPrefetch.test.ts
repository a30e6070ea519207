import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { openPrefetchScript } from "./openPrefetch.ts";

/** Runs the inline script as the browser would, with a recording fetch. */
function run(id: string) {
  const calls: { url: string; init: unknown }[] = [];
  const window: Record<string, unknown> = {};
  const fetch = (url: string, init: unknown) => (calls.push({ url, init }), Promise.resolve({ ok: true, json: () => Promise.resolve({ result: { data: 1 } }) }));
  vm.runInNewContext(openPrefetchScript(id), { window, fetch, performance: { now: () => 5 } });
  return { calls, open: window.__lvsOpen as { id: string; at: number } };
}

describe("openPrefetchScript", () => {
  it("requests topology.open for the id, same-origin with the session cookie", () => {
    const { calls, open } = run("8c1f-id");
    expect(calls).toEqual([{ url: `/api/trpc/topology.open?input=${encodeURIComponent('{"id":"8c1f-id"}')}`, init: { credentials: "same-origin" } }]);
    expect(open).toMatchObject({ id: "8c1f-id", at: 5 });
  });

  it("a hostile id stays data: it cannot close the script or break out of its string", () => {
    for (const id of ["</script><script>alert(1)</script>", "\u2028x\u2029", '"+alert(1)+"', "\\", "<!--"]) {
      const text = openPrefetchScript(id);
      expect(text).not.toMatch(/<\/|<!--|\u2028|\u2029/);
      const { calls, open } = run(id);
      expect(open.id).toBe(id);
      expect(decodeURIComponent(calls[0]!.url.split("input=")[1]!)).toBe(JSON.stringify({ id }));
    }
  });
});
