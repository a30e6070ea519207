import { expect, test } from "../fixtures/test.ts";
import { openEditor, seed, shot, stored } from "./editorPage.ts";
import { knownRules, knownTopology } from "./known.ts";

test.describe("export and import", () => {
  test("export: ipvsadm rules of a known topology, copy and download", async ({ page, context, request, uniqueName }, testInfo) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const { id } = await seed(request, uniqueName("export"), knownTopology);
    await openEditor(page, id);
    await page.getByTestId("open-export").click();
    await expect(page.getByTestId("export-text")).toHaveText(knownRules, { useInnerText: false });
    expect(await page.getByTestId("export-text").textContent()).toBe(knownRules);
    await page.getByTestId("export-scope").selectOption({ label: "Director lb1" });
    expect(await page.getByTestId("export-text").textContent()).toBe(knownRules);
    await shot(page, testInfo, "export-rules");

    await page.getByTestId("export-copy").click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(knownRules);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-download").click()]);
    expect(download.suggestedFilename()).toBe("ipvsadm.rules");
    const body = await (await download.createReadStream()).toArray();
    expect(Buffer.concat(body).toString("utf8")).toBe(knownRules);

    await page.getByTestId("export-tab-commands").click();
    const script = (await page.getByTestId("export-text").textContent())!;
    expect(script.startsWith("#!/bin/sh\n")).toBe(true);
    expect(script).toContain("ipvsadm -A -t 10.0.0.100:80 -s wlc -p 360\n");
  });

  test("import a rules file into an empty topology, then export gives the same rules", async ({ page, request, uniqueName }, testInfo) => {
    const { id } = await seed(request, uniqueName("import"));
    await openEditor(page, id);
    await page.getByTestId("open-import").click();
    await page.getByTestId("import-text").fill(knownRules);
    await expect(page.getByTestId("import-count-services")).toHaveText("2 virtual service(s)");
    await expect(page.getByTestId("import-count-realServers")).toHaveText("3 real servers on the canvas (3 new, 0 already there)");
    await page.getByTestId("import-director-name").fill("lb9");
    await shot(page, testInfo, "import-preview");
    await page.getByTestId("import-merge").click();
    await expect(page.getByTestId("import-dialog")).toHaveCount(0);
    await expect(page.locator("[data-kind=service]")).toHaveCount(2);
    await expect(page.locator("[data-kind=realServer]")).toHaveCount(3);
    await expect(page.locator("[data-kind=director]")).toHaveCount(1);
    await shot(page, testInfo, "imported");

    await page.getByTestId("open-export").click();
    expect(await page.getByTestId("export-text").textContent()).toBe(knownRules);
    await page.getByTestId("export-scope").selectOption({ label: "Director lb9" });
    expect(await page.getByTestId("export-text").textContent()).toBe(knownRules);
  });

  test("an invalid file shows its errors with line numbers and changes nothing", async ({ page, request, uniqueName }, testInfo) => {
    const { id } = await seed(request, uniqueName("badimport"), knownTopology);
    await openEditor(page, id);
    await page.getByTestId("open-import").click();
    await page.getByTestId("import-text").fill("-A -t 10.0.0.1:80 -s wlc\n-a -t 10.0.0.1:80 -r 10.0.0.7:80 -g -w 99999999\n-a -t 10.0.0.2:80 -r 10.0.0.8:80\n");
    await expect(page.getByTestId("import-errors")).toBeVisible();
    await expect(page.getByTestId("import-error").first()).toContainText("line 2");
    await expect(page.getByTestId("import-merge")).toBeDisabled();
    await shot(page, testInfo, "import-errors");
    await page.getByTestId("import-dialog-close").click();
    await expect(page.getByTestId("dirty-flag")).toHaveAttribute("data-dirty", "false");
    expect((await stored(request, id)).revision).toBe(2);
  });
});
