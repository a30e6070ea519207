// Issue 18: saves ask for an optional revision message (Ctrl+S keeps working), so the revision list
// does not read "—" everywhere; and a save of a topology with errors succeeded without saying so.
import { trpcQuery } from "../fixtures/api.ts";
import { expect, test } from "../fixtures/test.ts";
import { drop, openEditor, seed, select } from "./editorPage.ts";

test("a save carries the typed revision message, with the button and with Ctrl+S", async ({ page, request, uniqueName }) => {
  const { id } = await seed(request, uniqueName("msg"));
  await openEditor(page, id);
  await drop(page, "director", 200, 200);
  await page.getByTestId("save-message").fill("add the first director");
  await page.getByTestId("save").click();
  await expect(page.getByTestId("dirty-flag")).toHaveAttribute("data-dirty", "false");
  await expect(page.getByTestId("save-message")).toHaveValue("");
  await drop(page, "realServer", 500, 200);
  await page.getByTestId("save-message").fill("a real server, saved with Ctrl+S");
  await page.keyboard.press("Control+s");
  await expect(page.getByTestId("dirty-flag")).toHaveAttribute("data-dirty", "false");
  const revisions = await trpcQuery<Array<{ revision: number; message: string }>>(request, "deploy.revisions", { topologyId: id });
  expect(revisions.slice(0, 2).map((r) => r.message)).toEqual(["a real server, saved with Ctrl+S", "add the first director"]);
});

test("saving a topology with validation errors says so", async ({ page, request, uniqueName }) => {
  const { id } = await seed(request, uniqueName("errs"));
  await openEditor(page, id);
  const svc = await drop(page, "service", 300, 200);
  await select(page, svc);
  await page.getByTestId("inspector-field-port").fill("0"); // port 0 without persistence: an error
  await expect(page.getByTestId("issues-errors")).not.toHaveText("0");
  await page.getByTestId("save").click();
  await expect(page.getByTestId("dirty-flag")).toHaveAttribute("data-dirty", "false");
  await expect(page.getByTestId("saved-with-errors")).toBeVisible();
  await expect(page.getByTestId("saved-with-errors")).toContainText("error");
});
