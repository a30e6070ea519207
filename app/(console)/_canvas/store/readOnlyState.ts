import type { EditorState } from "./editorState.ts";

const noop = () => {};
/** Only selection and measurement changes pass: a drag, a removal or a resize never edits. */
const READ_ONLY_CHANGES = new Set(["select", "dimensions"]);

/** The read-only variant of the actions: the edits do nothing, selection and reading stay. */
export function readOnlyState(s: EditorState): EditorState {
  return {
    ...s,
    onNodesChange: (changes) => s.onNodesChange(changes.filter((c) => READ_ONLY_CHANGES.has(c.type))),
    onEdgesChange: (changes) => s.onEdgesChange(changes.filter((c) => c.type === "select")),
    canConnect: () => false,
    connect: () => null,
    addNode: () => "",
    updateDirector: noop,
    updateService: noop,
    updateRealServer: noop,
    updateMembership: noop,
    deleteElements: noop,
    deleteSelected: noop,
    paste: noop,
    setPositions: noop,
    appendGraph: noop,
    replaceDocument: noop,
    setHaGroups: noop,
  };
}
