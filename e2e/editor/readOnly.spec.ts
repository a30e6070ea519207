// A viewer gets a read-only editor: the topology, the inspector and the packet path to read, and no
// way to change anything (no palette, no drag, no connect, no delete, no undo, no import, no save,
// no "Unsaved changes"); the server refuses a save regardless (403).
import { expect, test } from "../fixtures/test.ts";
import { trpcMutation, TrpcCallError } from "../fixtures/api.ts";
import { createUser, signInAs } from "../fixtures/auth.ts";
import { seed } from "./editorPage.ts";
import { knownTopology } from "./known.ts";

const PASSWORD = "e2e-viewer-password";

test("a viewer's editor is read-only in the browser, and the server refuses the save", async ({ browser, baseURL, request, uniqueName }) => {
  test.setTimeout(90_000);
  const email = `${uniqueName("ro")}@e2e.example`;
  await createUser(request, { email, role: "viewer", password: PASSWORD });
  const name = uniqueName("readonly");
  const { id, revision } = await seed(request, name, knownTopology);
  const viewer = await signInAs(browser, baseURL!, email, PASSWORD);
  const page = await viewer.newPage();
  const saves: string[] = [];
  page.on("request", (r) => { if (r.url().includes("topology.save")) saves.push(r.url()); });

  await page.goto(`/topology/${id}`);
  const editor = page.getByTestId("topology-editor");
  await expect(editor).toBeVisible({ timeout: 60_000 });
  await expect(editor).toHaveAttribute("data-readonly", "true");
  await expect(page.getByTestId("node-svc-web")).toBeVisible();
  await expect(page.getByTestId("read-only")).toBeVisible();
  for (const control of ["palette", "undo", "redo", "auto-layout", "delete-selected", "open-import", "save", "save-message", "dirty-flag"]) {
    await expect(page.getByTestId(control), control).toHaveCount(0);
  }
  await expect(page.getByTestId("open-export")).toBeVisible(); // reading stays: export, search, fit view
  await expect(page.getByTestId("fit-view")).toBeVisible();

  // the inspector reads, its fields are disabled
  await page.getByTestId("node-rs-3").click();
  await expect(page.getByTestId("inspector-object")).toHaveAttribute("data-object", "rs-3");
  await expect(page.getByTestId("inspector-field-address")).toBeDisabled();
  await page.getByTestId("edge-m-3").click();
  await expect(page.getByTestId("inspector-field-weight")).toBeDisabled();
  await expect(page.getByTestId("packet-path")).toBeVisible();

  // no drag, no connect, no delete, no paste
  await page.getByTestId("node-rs-3").click();
  // the node's place on the canvas (a drag on a fixed node pans the view instead: screen positions move)
  const flowPos = () => page.locator('.react-flow__node[data-id="rs-3"]').evaluate((el) => (el as HTMLElement).style.transform);
  const before = await flowPos();
  expect(before).toBe("translate(800px, 200px)");
  const box = (await page.getByTestId("node-rs-3").boundingBox())!;
  await page.mouse.move(box.x + 40, box.y + 10);
  await page.mouse.down();
  await page.mouse.move(box.x + 140, box.y + 90, { steps: 5 });
  await page.mouse.up();
  expect(await flowPos()).toBe(before);
  await page.getByTestId("fit-view").click(); // the drag panned the view
  const edges = await page.locator(".react-flow__edge").count();
  await page.locator('.react-flow__node[data-id="svc-web"] .react-flow__handle.source')
    .dragTo(page.locator('.react-flow__node[data-id="rs-3"] .react-flow__handle.target'), { force: true });
  await expect(page.locator(".react-flow__edge")).toHaveCount(edges);
  await page.getByTestId("fit-view").click();
  await page.getByTestId("node-rs-3").click();
  await page.keyboard.press("Delete");
  await page.keyboard.press("Control+c");
  await page.keyboard.press("Control+v");
  await page.keyboard.press("Control+s");
  await expect(page.getByTestId("node-rs-3")).toBeVisible();
  await expect(page.locator("[data-kind]")).toHaveCount(6);
  await expect(page.getByTestId("save-error")).toHaveCount(0);
  expect(saves).toEqual([]);

  // the server is the authority all the same
  const err = await trpcMutation(viewer.request, "topology.save", { id, expectedRevision: revision, document: { ...knownTopology, name }, message: "" })
    .then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(TrpcCallError);
  expect((err as TrpcCallError).httpStatus).toBe(403);
  await viewer.close();
});
