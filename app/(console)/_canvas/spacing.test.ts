import { describe, expect, it } from "vitest";
import { COLUMN_X, LABEL_ROOM, NODE_WIDTH } from "./spacing.ts";
import { destinationLine } from "./labels.ts";
import { topologyToGraph } from "./graph.ts";
import { sampleTopology } from "./fixtures.ts";

/** the label's width at 10 px monospace (6 px a character), " DRAINING" and an issue badge (~60 px) */
const labelWidth = (text: string) => text.length * 6 + 60 + 10;

describe("canvas spacing: a membership label fits between the service and real-server columns", () => {
  it("the default columns leave the widest label's room (labels sit at the edge's middle)", () => {
    const gap = COLUMN_X.realServer - (COLUMN_X.service + NODE_WIDTH.service);
    const widest = destinationLine(
      { id: "m", serviceId: "s", realServerId: "r", method: "nat", weight: 65535, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "draining", healthCheck: null },
      { id: "r", name: "", address: "2001:db8::100", port: 8080, host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null } },
      undefined,
    );
    expect(gap).toBeGreaterThanOrEqual(labelWidth(widest));
    expect(gap).toBe(LABEL_ROOM);
    expect(COLUMN_X.service).toBeGreaterThan(NODE_WIDTH.director);
  });
  it("a document without layout is drawn in those columns", () => {
    const g = topologyToGraph({ ...sampleTopology(), layout: {} });
    expect(g.nodes.find((n) => n.type === "realServer")!.position.x).toBe(COLUMN_X.realServer);
  });
});
