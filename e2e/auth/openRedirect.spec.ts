// Issue 12 item 3: after sign-in the console follows `next=` only to a path on its own origin. Each
// hostile value below signs in for real in a fresh browser context; the browser must end on the
// console's origin (the fallback "/"), never on another host, and a javascript: URL must not run.
import { expect, test } from "../fixtures/test.ts";
import { createUser } from "../fixtures/auth.ts";

const PASSWORD = "e2e-redirect-password";
const HOSTILE = [
  "//127.0.0.2:9999/pwned",
  "/\\127.0.0.2:9999/pwned",
  "\\\\127.0.0.2:9999/pwned",
  "/\t/127.0.0.2:9999/pwned",
  "/\n/127.0.0.2:9999/pwned",
  "https://127.0.0.2:9999/pwned",
  "http:127.0.0.2:9999/pwned",
  "javascript:window.__pwned=1;alert(1)",
  "JaVaScRiPt:alert(1)",
  "/%2F127.0.0.2:9999/pwned",
  "%2F%2F127.0.0.2:9999/pwned",
  "data:text/html,<script>alert(1)</script>",
];

test("sign-in follows next= only to the console's own paths", async ({ browser, baseURL, request, uniqueName }) => {
  test.setTimeout(300_000);
  const email = `${uniqueName("redirect")}@e2e.example`;
  await createUser(request, { email, role: "viewer", password: PASSWORD });
  const origin = new URL(baseURL!).origin;
  const context = await browser.newContext({ baseURL: baseURL!, storageState: { cookies: [], origins: [] } });
  const dialogs: string[] = [];
  context.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });

  /** signs in on /login?next=… in a fresh page and returns where the browser went (anywhere but /login) */
  const signIn = async (next: string) => {
    await context.clearCookies();
    for (const p of context.pages()) await p.close();
    const page = await context.newPage();
    await page.goto(`/login?next=${encodeURIComponent(next)}`);
    await page.getByTestId("login-email").fill(email);
    await page.getByTestId("login-password").fill(PASSWORD);
    await page.getByTestId("login-submit").click();
    await page.waitForURL((u) => u.origin !== origin || !u.pathname.startsWith("/login"));
    return { landed: new URL(page.url()), page };
  };

  // the parameter works for a real path (so the refusals below are not a broken redirect)
  const { landed: good } = await signIn("/topologies?x=1");
  expect(`${good.origin}${good.pathname}${good.search}`).toBe(`${origin}/topologies?x=1`);

  for (const next of HOSTILE) {
    const { landed, page } = await signIn(next);
    expect.soft(landed.origin, JSON.stringify(next)).toBe(origin);
    expect.soft(landed.pathname.startsWith("//"), JSON.stringify(next)).toBe(false);
    expect.soft(await page.evaluate(() => (window as { __pwned?: number }).__pwned ?? null), JSON.stringify(next)).toBeNull();
  }
  expect(dialogs).toEqual([]);
  await context.close();
});
