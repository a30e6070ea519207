/**
 * Stats frames between control-plane instances over PostgreSQL NOTIFY: the instance holding an
 * agent's socket publishes each stats snapshot, deflated and cut into chunks that fit NOTIFY's
 * 8000-byte payload; the others reassemble them. A frame whose chunks do not all arrive, or a gap in
 * a director's sequence numbers, is counted as lost (never delivered half or silently): the next
 * frame is a full snapshot again, so a loss costs one second of one director's values.
 *
 * Chunk text: `<instanceId> <directorId> <seq> <index> <count> <base64 part>`.
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { StatsSnapshot } from "../../lvs/model.ts";

/** base64 characters per chunk: with the header well under NOTIFY's 8000 bytes */
export const CHUNK_CHARS = 7600;

export function encodeFrame(instanceId: string, directorId: string, seq: number, snapshot: StatsSnapshot, chunkChars = CHUNK_CHARS): string[] {
  const data = deflateRawSync(Buffer.from(JSON.stringify(snapshot)), { level: 1 }).toString("base64");
  const count = Math.max(1, Math.ceil(data.length / chunkChars));
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(`${instanceId} ${directorId} ${seq} ${i} ${count} ${data.slice(i * chunkChars, (i + 1) * chunkChars)}`);
  return out;
}

export interface DecodedFrame {
  instanceId: string;
  directorId: string;
  seq: number;
  snapshot: StatsSnapshot;
}

interface Partial {
  instanceId: string;
  seq: number;
  count: number;
  parts: string[];
  got: number;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Reassembles chunks in arrival order (NOTIFY keeps each sender's order); counts what was lost. */
export class FrameAssembler {
  private readonly partial = new Map<string, Partial>();
  private readonly lastSeq = new Map<string, { instanceId: string; seq: number }>();
  /** frames known to be lost (incomplete, a sequence gap, or undecodable) */
  lost = 0;
  frames = 0;

  constructor(private readonly onLost: (directorId: string, n: number, why: string) => void = () => {}) {}

  /** one chunk in; a whole frame out when it is complete */
  push(text: string): DecodedFrame | null {
    const m = /^(\S+) (\S+) (\d+) (\d+) (\d+) ([A-Za-z0-9+/=]*)$/.exec(text);
    if (!m || !ID.test(m[1]!) || !ID.test(m[2]!)) return this.lose("?", 1, "unparseable chunk"), null;
    const [, instanceId, directorId, seqText, iText, nText, part] = m as unknown as [string, string, string, string, string, string, string];
    const seq = Number(seqText), index = Number(iText), count = Number(nText);
    if (count < 1 || count > 10_000 || index >= count) return this.lose(directorId, 1, "bad chunk header"), null;
    let p = this.partial.get(directorId);
    if (p && (p.instanceId !== instanceId || p.seq !== seq)) {
      // a new frame started before the last one was complete
      this.lose(directorId, 1, `frame ${p.seq} incomplete (${p.got}/${p.count} chunks)`);
      this.partial.delete(directorId);
      p = undefined;
    }
    if (!p) {
      this.noteSeq(directorId, instanceId, seq);
      p = { instanceId, seq, count, parts: new Array<string>(count), got: 0 };
      this.partial.set(directorId, p);
    }
    if (p.count !== count || p.parts[index] !== undefined) {
      this.partial.delete(directorId);
      return this.lose(directorId, 1, "inconsistent chunks"), null;
    }
    p.parts[index] = part;
    p.got++;
    if (p.got < p.count) return null;
    this.partial.delete(directorId);
    try {
      const snapshot = JSON.parse(inflateRawSync(Buffer.from(p.parts.join(""), "base64")).toString("utf8")) as StatsSnapshot;
      if (typeof snapshot?.at !== "number" || !Array.isArray(snapshot.services)) throw new Error("not a stats snapshot");
      this.frames++;
      return { instanceId, directorId, seq, snapshot };
    } catch (e) {
      this.lose(directorId, 1, `undecodable frame: ${(e as Error).message}`);
      return null;
    }
  }

  private noteSeq(directorId: string, instanceId: string, seq: number): void {
    const last = this.lastSeq.get(directorId);
    // another instance took the agent over, or the sender restarted: a new sequence begins
    if (last && last.instanceId === instanceId && seq > last.seq + 1) this.lose(directorId, seq - last.seq - 1, `sequence gap ${last.seq} -> ${seq}`);
    this.lastSeq.set(directorId, { instanceId, seq });
  }

  private lose(directorId: string, n: number, why: string): void {
    this.lost += n;
    this.onLost(directorId, n, why);
  }
}
