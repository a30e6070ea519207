/** Parsing of agent-link frames (agent.ts): schema-checked messages, and peeks that read any version. */
import type { z } from "zod";
import { PROTOCOL_VERSION } from "./protocolVersion.ts";

export type ParseResult<T> = { ok: true; message: T } | { ok: false; reason: string };

export function parseWith<T>(schema: z.ZodType<T>, text: string): ParseResult<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: "frame is not JSON" };
  }
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, message: r.data };
  const version = raw && typeof raw === "object" && "v" in raw ? (raw as { v: unknown }).v : undefined;
  if (typeof version === "number" && version !== PROTOCOL_VERSION) {
    return { ok: false, reason: `protocol version ${version}, this side speaks ${PROTOCOL_VERSION}: upgrade the agent and the control plane together` };
  }
  const first = r.error.issues[0];
  const where = first && first.path.length ? first.path.join(".") : "(root)";
  const t = raw && typeof raw === "object" && "type" in raw ? String((raw as { type: unknown }).type).slice(0, 40) : "?";
  return { ok: false, reason: `message type "${t}": ${where}: ${first?.message ?? "invalid"}` };
}

/** `v` of a frame whatever its shape (null when there is none): tells "another protocol" from "broken". */
export function frameVersion(text: string): number | null {
  try {
    const raw: unknown = JSON.parse(text);
    return raw && typeof raw === "object" && typeof (raw as { v?: unknown }).v === "number" ? (raw as { v: number }).v : null;
  } catch {
    return null;
  }
}

/** A hello of any protocol version: its `v` and `agentVersion` (the fields every version keeps). */
export function peekHello(text: string): { v: number; agentVersion: string | null } | null {
  try {
    const raw = JSON.parse(text) as { v?: unknown; type?: unknown; agentVersion?: unknown } | null;
    if (!raw || typeof raw !== "object" || raw.type !== "hello" || typeof raw.v !== "number") return null;
    return { v: raw.v, agentVersion: typeof raw.agentVersion === "string" ? raw.agentVersion.slice(0, 64) : null };
  } catch {
    return null;
  }
}

/** An error frame of any protocol version. */
export function peekError(text: string): { code: string; message: string } | null {
  try {
    const raw = JSON.parse(text) as { type?: unknown; code?: unknown; message?: unknown } | null;
    if (!raw || typeof raw !== "object" || raw.type !== "error" || typeof raw.code !== "string" || typeof raw.message !== "string") return null;
    return { code: raw.code.slice(0, 64), message: raw.message.slice(0, 4096) };
  } catch {
    return null;
  }
}
