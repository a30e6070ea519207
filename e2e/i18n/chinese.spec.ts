// The whole UI in Chinese: with the zh locale, the main pages (overview, topologies, editor with
// validation issues and inline field errors, import diagnostics, live, deploy, directors, audit, users,
// account) show no English sentence. LVS terms, ipvsadm flags and names stay as they are: they are on
// the explicit list below. Code-like text (font-mono: addresses, ipvsadm lines, ids) is not prose.
import type { Page } from "@playwright/test";
import type { Topology } from "../../lvs/model.ts";
import { trpcMutation } from "../fixtures/api.ts";
import { expect, test } from "../fixtures/test.ts";

/** Words that stay English in the Chinese UI (LVS and networking terms, ipvsadm vocabulary, product names). */
const ALLOWED = new Set(
  (`LVS IPVS VIP VIPs DIP DIPs RIP RIPs CIP NAT DR TUN FULLNAT Masq Route Tunnel ipvsadm keepalived conf TCP UDP SCTP HTTP HTTPS GUE GRE IPIP
  fwmark FWM IPv4 IPv6 MAC ARP lo tunl0 arp_ignore arp_announce real server servers director directors agent agents sorry PROXY protocol HA
  ActiveConn InActConn Conns InPkts OutPkts InBytes OutBytes CPS PPS Bps pps cps rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos
  sip pe ops userspace ipvs engine MTBF MTTR UTC JSON English Ctrl Delete Shift ID id save rules Linux Virtual Server Console
  admin operator viewer email eth0 eth1 Prometheus metrics VRRP MASTER BACKUP keepalived.conf lb draft overview web`).split(/\s+/).map((w) => w.toLowerCase()),
);

/** Visible prose of the page: text nodes outside code-like elements, inputs and hidden parts. */
async function prose(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || !n.textContent?.trim()) continue;
      if (el.closest("script,style,code,pre,textarea,option,.font-mono,[data-i18n-skip],.sr-only,svg,.react-flow__minimap")) continue;
      const style = getComputedStyle(el);
      if (style.display === "none" || style.visibility === "hidden") continue;
      out.push(n.textContent.trim());
    }
    return out;
  });
}

/** Runs of two or more English words that are not on the allowed list: untranslated sentences. */
function englishSentences(texts: string[]): string[] {
  const found: string[] = [];
  for (const text of texts) {
    const cleaned = text
      .replace(/\b[\w.+-]+@[\w.-]+\b/g, " ") // email addresses
      .replace(/\b[a-z0-9]+(?:-[a-z0-9]+)+\b/g, " ") // ids and names like web-w0-abc-1
      .replace(/(^|\s)-{1,2}[a-z][\w-]*/g, " "); // ipvsadm flags
    const words = cleaned.split(/[^A-Za-z']+/).filter((w) => w.length > 0);
    let run: string[] = [];
    const flush = () => {
      if (run.length >= 2) found.push(`${run.join(" ")}   ⟵ "${text.slice(0, 120)}"`);
      run = [];
    };
    for (const w of words) {
      if (ALLOWED.has(w.toLowerCase()) || w.length === 1) flush();
      else run.push(w);
    }
    flush();
  }
  return [...new Set(found)];
}

function draft(name: string): Topology {
  const host = { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null };
  return {
    name,
    directors: [{ id: "d1", name: "lb-draft", managementAddress: null, interfaces: [{ name: "eth0", address: "10.0.0.1", prefix: 24 }], engine: "ipvs" }],
    services: [
      { id: "web", protocol: "tcp", family: "inet", address: "10.0.0.100", port: 80, fwmark: null, scheduler: "wlc", flags: [], persistence: null,
        persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1"], healthCheck: null, sorryServer: null, proxyProtocol: false },
      { id: "dns", protocol: "udp", family: "inet", address: "10.0.0.53", port: 53, fwmark: null, scheduler: "rr", flags: [], persistence: null,
        persistenceEngine: null, onePacket: false, description: "", directorIds: [], healthCheck: null, sorryServer: null, proxyProtocol: false },
    ],
    realServers: [
      { id: "rs1", name: "web1", address: "10.0.0.11", port: 8080, host },
      { id: "rs2", name: "web2", address: "192.168.9.12", port: null, host },
    ],
    memberships: [
      { id: "m1", serviceId: "web", realServerId: "rs1", method: "dr", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: null },
      { id: "m2", serviceId: "web", realServerId: "rs2", method: "nat", weight: 1, upperThreshold: 0, lowerThreshold: 5, tunnel: null, state: "active", healthCheck: null },
    ],
    layout: { d1: { x: 0, y: 100 }, web: { x: 320, y: 40 }, dns: { x: 320, y: 260 }, rs1: { x: 700, y: 0 }, rs2: { x: 700, y: 180 } },
  };
}

test("the Chinese UI has no untranslated English sentences on the main pages", async ({ page, context, request, baseURL, uniqueName }) => {
  test.setTimeout(180_000);
  await context.addCookies([{ name: "NEXT_LOCALE", value: "zh", url: baseURL! }]);
  const name = uniqueName("zh");
  const created = await trpcMutation<{ id: string; revision: number }>(request, "topology.create", { name });
  await trpcMutation(request, "topology.save", { id: created.id, expectedRevision: created.revision, document: draft(name), message: "zh e2e" });
  const id = created.id;
  const report: Record<string, string[]> = {};
  const visit = async (label: string, path: string, ready: string, act?: () => Promise<void>) => {
    await page.goto(path);
    await expect(page.getByTestId(ready).first()).toBeVisible({ timeout: 30_000 });
    await act?.();
    await page.waitForTimeout(500);
    await page.screenshot({ path: test.info().outputPath(`zh-${label}.png`), fullPage: true });
    const found = englishSentences(await prose(page));
    if (found.length) report[label] = found;
  };
  await visit("overview", "/overview", "overview-page");
  await visit("topologies", "/topologies", "topology-list");
  await visit("editor", `/topology/${id}`, "issues-panel", async () => {
    // an inline field error too: a weight out of range
    await page.getByTestId("issue-destination.lower-threshold-without-upper").first().click();
    await page.getByTestId("inspector-field-weight").fill("70000");
    await expect(page.getByTestId("inspector-error-weight")).toBeVisible();
  });
  await visit("import", `/topology/${id}`, "issues-panel", async () => {
    await page.getByTestId("open-import").click();
    await page.getByTestId("import-text").fill("-A -t 10.0.0.1:80 -s nope\n-a -t 10.0.0.1:80 -r 10.0.1.1 -y 5\n-A -t 10.0.0.9:0 # note");
    await expect(page.getByTestId("import-error").first()).toBeVisible();
  });
  await visit("live", `/live/${id}`, "live-view");
  await visit("deploy", `/deploy/${id}`, "deploy-view", async () => {
    // the plan's operations are sentences too (add virtual service …, add real server …)
    await page.getByTestId("plan-button").click();
    await expect(page.getByTestId("plan-op").or(page.getByTestId("plan-error")).first()).toBeVisible({ timeout: 30_000 });
  });
  await visit("directors", `/directors/${id}`, "directors-view");
  await visit("audit", "/audit", "audit-table");
  await visit("users", "/users", "new-user-email");
  await visit("account", "/account", "account-page");
  expect(report, JSON.stringify(report, null, 2)).toEqual({});
});
