import { expect, test } from "../fixtures/test.ts";
import { connect, drop, field, openEditor, save, screenPos, seed, select, shot, stored } from "./editorPage.ts";
import { knownTopology } from "./known.ts";

test.describe("saving the topology", () => {
  test("save, reload: every object, edge, setting and position persists", async ({ page, request, uniqueName }, testInfo) => {
    const { id } = await seed(request, uniqueName("persist"));
    await openEditor(page, id);
    const dir = await drop(page, "director", 20, 60);
    const svc = await drop(page, "service", 270, 200);
    const rs = await drop(page, "realServer", 600, 330);
    await connect(page, dir, svc);
    await connect(page, svc, rs);
    await select(page, svc);
    await page.getByTestId("inspector-field-protocol").selectOption("udp");
    await page.getByTestId("inspector-field-onePacket").check();
    await select(page, rs);
    await field(page, "name", "web-7");
    await expect(page.getByTestId("revision")).toHaveText("revision 1");
    await page.getByTestId("node-" + rs).click();
    await page.keyboard.press("Control+s");
    await expect(page.getByTestId("dirty-flag")).toHaveAttribute("data-dirty", "false");
    await expect(page.getByTestId("revision")).toHaveText("revision 2");

    const doc = (await stored(request, id)).document as unknown as {
      services: { id: string; protocol: string; onePacket: boolean; directorIds: string[] }[];
      realServers: { id: string; name: string }[];
      memberships: { serviceId: string; realServerId: string; method: string; weight: number }[];
      layout: Record<string, { x: number; y: number }>;
    };
    expect(doc.services).toMatchObject([{ id: svc, protocol: "udp", onePacket: true, directorIds: [dir] }]);
    expect(doc.realServers).toMatchObject([{ id: rs, name: "web-7" }]);
    expect(doc.memberships).toMatchObject([{ serviceId: svc, realServerId: rs, method: "dr", weight: 1 }]);
    expect(doc.layout).toEqual({ [dir]: { x: 20, y: 60 }, [svc]: { x: 270, y: 200 }, [rs]: { x: 600, y: 330 } });

    await page.reload();
    await expect(page.getByTestId(`node-${svc}-line`)).toHaveText("UDP  10.0.0.100:80 wlc ops");
    await expect(page.getByTestId("revision")).toHaveText("revision 2");
    await expect(page.getByTestId("dirty-flag")).toHaveAttribute("data-dirty", "false");
    await expect(page.locator(".react-flow__edge")).toHaveCount(2);
    await shot(page, testInfo, "reloaded");
    // positions: same relative placement on screen after the reload's fit view
    const [a, b, c] = [await screenPos(page, dir), await screenPos(page, svc), await screenPos(page, rs)];
    const zoom = (b.x - a.x) / 250;
    expect(Math.abs((c.x - b.x) / zoom - 330)).toBeLessThan(2);
    expect(Math.abs((c.y - a.y) / zoom - 270)).toBeLessThan(2);
  });

  test("two browser contexts: the second save reports the conflict and overwrites nothing", async ({ browser, request, uniqueName }, testInfo) => {
    const { id } = await seed(request, uniqueName("conflict"), knownTopology);
    const alice = await (await browser.newContext()).newPage();
    const bob = await (await browser.newContext()).newPage();
    await openEditor(alice, id);
    await openEditor(bob, id);

    await select(alice, "svc-web");
    await alice.getByTestId("inspector-field-scheduler").selectOption("rr");
    await save(alice);
    await expect(alice.getByTestId("revision")).toHaveText("revision 3");

    await select(bob, "rs-1");
    await field(bob, "name", "bob-was-here");
    await bob.getByTestId("save").click();
    await expect(bob.getByTestId("conflict-dialog")).toBeVisible();
    await expect(bob.getByTestId("conflict-message")).toContainText("revision 3");
    await bob.getByTestId("conflict-show").click();
    await expect(bob.getByTestId("conflict-theirs")).toContainText("scheduler wlc → rr");
    await expect(bob.getByTestId("conflict-yours")).toContainText("bob-was-here");
    await testInfo.attach("conflict", { body: await bob.screenshot(), contentType: "image/png" });

    // nothing was overwritten
    const now = await stored(request, id);
    expect(now.revision).toBe(3);
    expect(JSON.stringify(now.document)).not.toContain("bob-was-here");

    await bob.getByTestId("conflict-reload").click();
    await expect(bob.getByTestId("conflict-dialog")).toHaveCount(0);
    await expect(bob.getByTestId("node-svc-web-line")).toHaveText("TCP  10.0.0.100:80 rr persistent 360");
    await expect(bob.getByTestId("revision")).toHaveText("revision 3");
    await expect(bob.getByTestId("dirty-flag")).toHaveAttribute("data-dirty", "false");
  });

  test("after a conflict, saving over theirs is explicit and itself optimistic: a newer save conflicts again", async ({ browser, request, uniqueName }) => {
    const { id } = await seed(request, uniqueName("overwrite"), knownTopology);
    const alice = await (await browser.newContext()).newPage();
    const bob = await (await browser.newContext()).newPage();
    await openEditor(alice, id);
    await openEditor(bob, id);
    await select(alice, "svc-web");
    await alice.getByTestId("inspector-field-scheduler").selectOption("rr");
    await save(alice); // revision 3

    await select(bob, "rs-1");
    await field(bob, "name", "bob-was-here");
    await bob.getByTestId("save").click();
    await expect(bob.getByTestId("conflict-message")).toContainText("revision 3");
    // alice saves again while bob reads the dialog
    await alice.getByTestId("inspector-field-scheduler").selectOption("sh");
    await save(alice); // revision 4
    await bob.getByTestId("conflict-overwrite").click();
    await expect(bob.getByTestId("conflict-message")).toContainText("revision 4");
    expect((await stored(request, id)).revision).toBe(4);

    await bob.getByTestId("conflict-overwrite").click();
    await expect(bob.getByTestId("conflict-dialog")).toHaveCount(0);
    await expect(bob.getByTestId("revision")).toHaveText("revision 5");
    await expect(bob.getByTestId("dirty-flag")).toHaveAttribute("data-dirty", "false");
    const now = await stored(request, id);
    expect(now.revision).toBe(5);
    expect(JSON.stringify(now.document)).toContain("bob-was-here");
    expect((now.document as unknown as { services: { scheduler: string }[] }).services[0]!.scheduler).toBe("wlc"); // bob's document, as chosen
  });

  test("unsaved changes: leaving asks first, through an in-app link or by closing the page", async ({ page, request, uniqueName }) => {
    const { id } = await seed(request, uniqueName("leave"), knownTopology);
    await openEditor(page, id);
    await select(page, "svc-web");
    await page.getByTestId("inspector-field-scheduler").selectOption("rr");
    await expect(page.getByTestId("dirty-flag")).toHaveAttribute("data-dirty", "true");

    const asked: string[] = [];
    page.once("dialog", (d) => {
      asked.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    await page.getByTestId("product-name").click();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toMatch(/^confirm: .*unsaved/i);
    await expect(page).toHaveURL(new RegExp(`/topology/${id}$`));
    await expect(page.getByTestId("node-svc-web-line")).toHaveText("TCP  10.0.0.100:80 rr persistent 360");

    page.once("dialog", (d) => {
      asked.push(d.type());
      void d.dismiss();
    });
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => asked.length).toBe(2);
    expect(asked[1]).toBe("beforeunload");
    expect(page.isClosed()).toBe(false);
    await expect(page.getByTestId("node-svc-web-line")).toHaveText("TCP  10.0.0.100:80 rr persistent 360");

    // after saving, nothing asks
    await save(page);
    page.on("dialog", (d) => {
      asked.push(d.type());
      void d.accept();
    });
    await page.getByTestId("product-name").click();
    await expect(page).not.toHaveURL(new RegExp(`/topology/${id}$`));
    expect(asked).toHaveLength(2);
  });
});
