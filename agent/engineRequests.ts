/** Answers to the control plane's requests that read or reset the engine (ipvsadm -Lc, ipvsadm -Z). */
import type { ForwardingEngine } from "./engine.ts";
import type { AgentMessage, ServerMessage } from "../lvs/protocol/agent.ts";
import { PROTOCOL_VERSION } from "../lvs/protocol/agent.ts";

type Request<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

export async function answerConnections(engine: ForwardingEngine, msg: Request<"connections.request">): Promise<AgentMessage> {
  try {
    const list = await engine.connections(msg.page);
    return { v: PROTOCOL_VERSION, type: "connections.response", requestId: msg.requestId, total: list.total, entries: list.entries.slice(0, msg.page.limit) };
  } catch (e) {
    return { v: PROTOCOL_VERSION, type: "connections.response", requestId: msg.requestId, total: 0, entries: [], error: (e as Error).message };
  }
}

/** ipvsadm -Z: the stats frames that follow carry the reset counters; the server's rollups treat a counter that went down as a reset */
export async function answerZero(engine: ForwardingEngine, msg: Request<"zero.request">): Promise<AgentMessage> {
  try {
    await engine.zero(msg.service);
    return { v: PROTOCOL_VERSION, type: "zero.response", requestId: msg.requestId };
  } catch (e) {
    return { v: PROTOCOL_VERSION, type: "zero.response", requestId: msg.requestId, error: (e as Error).message };
  }
}
