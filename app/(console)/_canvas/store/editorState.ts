/** The editor store's state and actions (store.ts), its options and the per-object issue badge. */
import type { EdgeChange, NodeChange, XYPosition } from "@xyflow/react";
import type { Issue } from "@/lvs/issues.ts";
import type { Director, HaGroup, Membership, RealServer, Topology, VirtualService } from "@/lvs/model.ts";
import type { ConnectionLike, ConnectionMeaning, EditorEdge, EditorNode, Graph, NodeKind } from "../graph.ts";
import type { Baseline, History } from "./sameDocument.ts";

export type IdKind = NodeKind | "membership" | "haGroup";

export interface EditorOptions {
  revision?: number;
  /**
   * A role that cannot save (viewer) reads the topology: selection works (inspector, packet path),
   * every edit is a no-op here, so no drag, connect, delete, paste or import reaches the document.
   */
  readOnly?: boolean;
  /** injected for deterministic tests */
  newId?: (kind: IdKind) => string;
}

export interface Badge {
  errors: number;
  warnings: number;
  /** the first issue (errors first), for the badge's tooltip in the UI language */
  first: Pick<Issue, "code" | "params" | "message">;
}

export interface EditorState extends History {
  name: string;
  /** see EditorOptions.readOnly */
  readOnly: boolean;
  /** server revision the document is based on (optimistic concurrency) */
  revision: number;
  /** the last loaded/saved document: `dirty` compares against it (sameContent) */
  saved: Baseline;
  dirty: boolean;
  /** validate() of the current document, and per object id the badge to draw */
  issues: Issue[];
  badges: Record<string, Badge>;
  /** the newest document's issues are still being computed (a big document, on a web worker) */
  validating: boolean;
  clipboard: Graph | null;
  pasteCount: number;
  /** snapshot taken when a drag starts: the drag becomes one undo step */
  dragSnapshot: History | null;

  /** the id generator (injected in tests) */
  newId(kind: IdKind): string;
  load(topology: Topology, revision: number): void;
  /** `saved`: the graph the saved document was made from, and that document */
  markSaved(revision: number, saved: Baseline): void;
  setDerived(d: Partial<Pick<EditorState, "issues" | "badges" | "dirty" | "validating">>): void;
  topology(): Topology;
  onNodesChange(changes: NodeChange<EditorNode>[]): void;
  onEdgesChange(changes: EdgeChange<EditorEdge>[]): void;
  canConnect(c: ConnectionLike): boolean;
  connect(c: ConnectionLike): ConnectionMeaning | null;
  addNode(kind: NodeKind, position: XYPosition): string;
  updateDirector(id: string, value: Director): void;
  updateService(id: string, value: VirtualService): void;
  updateRealServer(id: string, value: RealServer): void;
  updateMembership(id: string, value: Membership): void;
  deleteElements(nodeIds: Iterable<string>, edgeIds: Iterable<string>): void;
  deleteSelected(): void;
  copySelection(): void;
  paste(): void;
  select(ids: Iterable<string>): void;
  setPositions(positions: Record<string, XYPosition>): void;
  appendGraph(graph: Graph): void;
  /** replace the whole document as one undo step (imports); keeps name and revision */
  replaceDocument(topology: Topology): void;
  /** sets the declared HA groups (one undo step) */
  setHaGroups(groups: HaGroup[]): void;
}
