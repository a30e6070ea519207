import { describe, expect, it } from "vitest";
import { MessageJson } from "./messageJson.ts";
import { NetlinkStatsReader } from "./engines/ipvs/netlinkStats.ts";
import { renderDump } from "./engines/ipvs/netlinkFormat.ts";
import { genTable } from "../lvs/testing/bigTable.ts";
import { serviceKeyOf, serviceKeyString } from "../lvs/tableKey.ts";
import type { AgentMessage } from "../lvs/protocol/agent.ts";

describe("MessageJson", () => {
  it("is JSON.stringify for every message, and stringifies only the services whose stats changed (1 000 services)", () => {
    const table = genTable(1000, 4);
    const busy = new Set<string>();
    const text = (n: number) => renderDump(table, (s, d) => (!d && busy.has(serviceKeyString(s)) ? ` ${n} 1 1 1 1 0 0 0 0 0` : ""));
    const reader = new NetlinkStatsReader();
    const json = new MessageJson();
    const frame = (n: number): AgentMessage => ({ v: 1, type: "stats", snapshot: reader.read(text(n), n) });
    const f1 = frame(1);
    expect(json.text(f1)).toBe(JSON.stringify(f1));
    expect(json.stringified).toBe(1000);
    busy.add(serviceKeyString(table.services[7]!));
    busy.add(serviceKeyString(table.services[500]!));
    const f2 = frame(2);
    expect(json.text(f2)).toBe(JSON.stringify(f2));
    expect(json.stringified).toBe(2);
    const f3 = frame(3);
    expect(json.text(f3)).toBe(JSON.stringify(f3));
    expect(json.stringified).toBe(2);
    const hb = { v: 1, type: "heartbeat", at: 5 } as unknown as AgentMessage;
    expect(json.text(hb)).toBe(JSON.stringify(hb));
    // feature stats.delta: the same text as JSON.stringify, services' text reused
    const delta: AgentMessage = { v: 1, type: "stats.delta", seq: 3, reset: true, more: false, at: 4, services: f3.type === "stats" ? f3.snapshot.services : [], removed: [serviceKeyOf(table.services[1]!)] };
    expect(json.text(delta)).toBe(JSON.stringify(delta));
    expect(json.stringified).toBe(0);
    const empty: AgentMessage = { v: 1, type: "stats", snapshot: { at: 1, services: [] } };
    expect(json.text(empty)).toBe(JSON.stringify(empty));
  });
});
