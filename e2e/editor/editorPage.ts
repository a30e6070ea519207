// Page helpers for the topology editor specs: seeding through the API, drag and drop from the
// palette, connecting handles, reading the canvas. Selectors are the editor's data-testids.
import type { APIRequestContext, Page, TestInfo } from "@playwright/test";
import { expect } from "../fixtures/test.ts";
import { trpcMutation, trpcQuery } from "../fixtures/api.ts";

export type Kind = "director" | "service" | "realServer";

export interface Stored {
  id: string;
  revision: number;
  document: Record<string, unknown> & { layout: Record<string, { x: number; y: number }> };
}

/** Create a topology and, if given, save a document into it (revision 2). */
export async function seed(request: APIRequestContext, name: string, document?: object): Promise<{ id: string; revision: number }> {
  const created = await trpcMutation<{ id: string; revision: number }>(request, "topology.create", { name });
  if (!document) return created;
  const saved = await trpcMutation<{ revision: number }>(request, "topology.save", {
    id: created.id, expectedRevision: created.revision, document: { ...document, name }, message: "seed",
  });
  return { id: created.id, revision: saved.revision };
}

export const stored = (request: APIRequestContext, id: string) => trpcQuery<Stored>(request, "topology.get", { id });

export async function openEditor(page: Page, id: string) {
  await page.goto(`/topology/${id}`);
  await expect(page.getByTestId("topology-editor")).toBeVisible({ timeout: 60_000 });
}

export const pane = (page: Page) => page.locator(".react-flow__pane");
export const nodeIds = (page: Page, kind?: Kind) =>
  page.locator(kind ? `[data-kind="${kind}"]` : "[data-kind]").evaluateAll((els) =>
    els.map((e) => (e.getAttribute("data-testid") ?? "").replace(/^node-/, "")),
  );

/** HTML5 drag from the palette, released at (x, y) of the pane; returns the new node's id. */
export async function drop(page: Page, kind: Kind, x: number, y: number): Promise<string> {
  const before = new Set(await nodeIds(page, kind));
  await page.getByTestId(`palette-${kind}`).dragTo(pane(page), { targetPosition: { x, y } });
  await expect.poll(async () => (await nodeIds(page, kind)).length).toBe(before.size + 1);
  return (await nodeIds(page, kind)).find((id) => !before.has(id))!;
}

const handle = (page: Page, id: string, type: "source" | "target") =>
  page.locator(`.react-flow__node[data-id="${id}"] .react-flow__handle.${type}`);

export async function connect(page: Page, from: string, to: string) {
  await handle(page, from, "source").dragTo(handle(page, to, "target"));
}

/** Position of a node's top-left corner relative to the pane, in screen pixels. */
export async function screenPos(page: Page, id: string) {
  const p = await pane(page).boundingBox();
  const b = await page.locator(`.react-flow__node[data-id="${id}"]`).boundingBox();
  return { x: Math.round(b!.x - p!.x), y: Math.round(b!.y - p!.y) };
}

export async function select(page: Page, id: string) {
  await page.getByTestId(`node-${id}`).click();
  await expect(page.getByTestId("inspector-object")).toHaveAttribute("data-object", id);
}

export async function selectEdge(page: Page, id: string) {
  await page.getByTestId(`edge-${id}`).click();
  await expect(page.getByTestId("inspector-object")).toHaveAttribute("data-object", id);
}

export async function field(page: Page, name: string, value: string) {
  const f = page.getByTestId(`inspector-field-${name}`);
  await f.fill(value);
}

export async function shot(page: Page, testInfo: TestInfo, name: string) {
  await testInfo.attach(name, { body: await page.screenshot(), contentType: "image/png" });
}

export async function save(page: Page) {
  await page.getByTestId("save").click();
  await expect(page.getByTestId("dirty-flag")).toHaveAttribute("data-dirty", "false");
}
