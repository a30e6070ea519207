// The "saved with N errors" notice counted the issues in the store when the save returned; with a big
// document still on the validation worker those were the issues of the document before the edit.
import { describe, expect, it } from "vitest";
import type { Issue } from "@/lvs/issues.ts";
import { sampleTopology } from "../../_canvas/fixtures.ts";
import { createEditorStore } from "../../_canvas/store/store.ts";
import { settledIssues } from "./settledIssues.ts";

const issue = (message: string): Issue => ({ severity: "error", message }) as Issue;

describe("settledIssues", () => {
  it("gives the issues at once when no validation is under way", async () => {
    const store = createEditorStore(sampleTopology(), { revision: 1 });
    store.getState().setDerived({ issues: [issue("a")], validating: false });
    expect((await settledIssues(store)).map((i) => i.message)).toEqual(["a"]);
  });

  it("waits for the validation under way and gives the newest document's issues, not the previous ones", async () => {
    const store = createEditorStore(sampleTopology(), { revision: 1 });
    store.getState().setDerived({ issues: [], validating: true });
    const settled = settledIssues(store);
    store.getState().setDerived({ dirty: true }); // other derived state: still waiting
    store.getState().setDerived({ issues: [issue("new 1"), issue("new 2")], validating: false });
    expect((await settled).map((i) => i.message)).toEqual(["new 1", "new 2"]);
  });
});
