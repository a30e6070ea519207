/**
 * Messages of the browser live channel `/api/live` (JSON text frames, zod-typed both ways).
 * Pure: importable by the UI. The live-stats work adds its own message kinds here.
 */
import { z } from "zod";

const topologyId = z.string().min(1).max(64);

export const liveClientMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("subscribe"), topologyId }),
  z.object({ type: z.literal("unsubscribe"), topologyId }),
  z.object({ type: z.literal("ping") }),
]);
export type LiveClientMessage = z.infer<typeof liveClientMessageSchema>;

export const liveServerMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("subscribed"), topologyId }),
  z.object({ type: z.literal("unsubscribed"), topologyId }),
  z.object({
    type: z.literal("topology.saved"),
    topologyId,
    revision: z.number().int(),
    author: z.string().nullable(),
    at: z.number().int(),
  }),
  z.object({ type: z.literal("pong") }),
  z.object({ type: z.literal("error"), message: z.string() }),
]);
export type LiveServerMessage = z.infer<typeof liveServerMessageSchema>;

/** a browser may watch this many topologies at once on one socket */
export const MAX_LIVE_SUBSCRIPTIONS = 32;
export const MAX_LIVE_FRAME_BYTES = 16 * 1024;
