/**
 * Statistics as deltas (agent protocol feature "stats.delta", lvs/protocol/agent.ts): instead of the
 * whole snapshot every second (25 MB of JSON at 10 000 services × 10 real servers), the agent sends
 * only the services whose figures changed since its last frame, the keys of services that went away,
 * and now and then (after welcome, on the control plane's request, periodically) a full update.
 *
 * An update is one frame or, when it is big, several consecutive ones (`more` on all but the last, so
 * no frame outgrows the link's frame limit); `seq` counts frames on a connection; `reset` marks the
 * first frame of a full update (forget what you know). A service travels whole (its counters, rates
 * and every real server), so the receiver replaces it, never patches fields.
 *
 *  - StatsDeltaEncoder (agent): snapshot in → the frames of the next update out.
 *  - StatsDeltaMerger (control plane): frames in → the full snapshot after each complete update, the
 *    same figures a full frame would have carried; a gap in `seq` (a frame lost or dropped) puts it
 *    out of sync until the next reset, which it asks for ("stats.resync").
 * Pure: no clock, no I/O.
 */
import type { DestinationStats, IpvsServiceKey, ServiceStats, StatsSnapshot } from "../model.ts";
import { serviceKeyString } from "../tableKey.ts";

/** The body of one `stats.delta` frame (the protocol adds `v` and `type`). */
export interface StatsDeltaBody {
  /** frame number on this connection, from 0, one more for each frame */
  seq: number;
  /** first frame of a full update: the receiver forgets every service it knew */
  reset: boolean;
  /** the update continues in the next frame (the receiver waits before it shows anything) */
  more: boolean;
  /** when the agent read the figures (ms, the agent's clock) */
  at: number;
  /** services that are new or whose figures changed, whole */
  services: ServiceStats[];
  /** services gone since the last update */
  removed: IpvsServiceKey[];
}

/** Real servers (plus one per service) per frame: ~230 bytes of JSON each, so a frame stays ~5 MB. */
export const DELTA_FRAME_DESTINATIONS = 20_000;

const sameFive = (a: object, b: object): boolean => {
  const x = a as Record<string, number>;
  const y = b as Record<string, number>;
  for (const k in x) if (x[k] !== y[k]) return false;
  return true;
};

function sameDestination(a: DestinationStats, b: DestinationStats): boolean {
  return a.address === b.address && a.port === b.port && a.weight === b.weight && a.activeConns === b.activeConns &&
    a.inactConns === b.inactConns && a.persistConns === b.persistConns && sameFive(a.counters, b.counters) && sameFive(a.rates, b.rates);
}

/** Same figures (the key is already known to be the same). */
export function sameServiceStats(a: ServiceStats, b: ServiceStats): boolean {
  if (a === b) return true;
  if (!sameFive(a.counters, b.counters) || !sameFive(a.rates, b.rates) || a.destinations.length !== b.destinations.length) return false;
  for (let i = 0; i < a.destinations.length; i++) if (!sameDestination(a.destinations[i]!, b.destinations[i]!)) return false;
  return true;
}

/** key strings by key object: the netlink reader hands the same objects back every second */
const keyText = new WeakMap<IpvsServiceKey, string>();
function keyOf(k: IpvsServiceKey): string {
  let t = keyText.get(k);
  if (t === undefined) keyText.set(k, (t = serviceKeyString(k)));
  return t;
}

export class StatsDeltaEncoder {
  private sent = new Map<string, ServiceStats>();
  private seq = 0;
  private full = true;
  /** services whose figures were compared field by field by the last encode (complexity guard) */
  compared = 0;

  constructor(private readonly frameDestinations = DELTA_FRAME_DESTINATIONS) {}

  /** The next update is a full one (the control plane asked, or it is time for the periodic one). */
  requestFull(): void {
    this.full = true;
  }

  /** A new connection: frames count from 0 again and the first update is full. */
  reset(): void {
    this.sent = new Map();
    this.seq = 0;
    this.full = true;
  }

  /** Whether the next update will be full. */
  get fullPending(): boolean {
    return this.full;
  }

  /**
   * The frames of the next update. A service object handed in again unchanged (the netlink stats
   * reader reuses them) costs one identity check; another object is compared field by field.
   */
  encode(snapshot: StatsSnapshot): StatsDeltaBody[] {
    const full = this.full;
    this.full = false;
    this.compared = 0;
    const next = new Map<string, ServiceStats>();
    const changed: ServiceStats[] = [];
    for (const s of snapshot.services) {
      const k = keyOf(s.key);
      next.set(k, s);
      if (full) {
        changed.push(s);
        continue;
      }
      const before = this.sent.get(k);
      if (before === s) continue;
      if (before) this.compared++;
      if (!before || !sameServiceStats(before, s)) changed.push(s);
    }
    const removed: IpvsServiceKey[] = [];
    if (!full) for (const [k, s] of this.sent) if (!next.has(k)) removed.push(s.key);
    this.sent = next;

    const frames: StatsDeltaBody[] = [];
    let chunk: ServiceStats[] = [];
    let size = 0;
    const flush = () => {
      frames.push({ seq: this.seq++, reset: full && frames.length === 0, more: true, at: snapshot.at, services: chunk, removed: frames.length === 0 ? removed : [] });
      chunk = [];
      size = 0;
    };
    for (const s of changed) {
      const weight = 1 + s.destinations.length;
      if (chunk.length && size + weight > this.frameDestinations) flush();
      chunk.push(s);
      size += weight;
    }
    flush();
    frames[frames.length - 1]!.more = false;
    return frames;
  }
}

export type MergeResult =
  | { kind: "snapshot"; snapshot: StatsSnapshot }
  /** part of an update arrived; the rest follows */
  | { kind: "pending" }
  /** a frame is missing: nothing shown until a full update; `ask` = send "stats.resync" now */
  | { kind: "out-of-sync"; ask: boolean; reason: string };

/** Frames between two resync requests while no full update comes. */
const ASK_EVERY = 30;

export class StatsDeltaMerger {
  private known = new Map<string, ServiceStats>();
  /** the seq of the next frame; null = out of sync, waiting for a reset */
  private expected: number | null = null;
  private sinceAsked = 0;
  private updateAt = 0;

  apply(f: StatsDeltaBody): MergeResult {
    if (f.reset) {
      this.known = new Map();
    } else if (this.expected === null || f.seq !== this.expected) {
      const reason = this.expected === null ? `frame ${f.seq} before any full update` : `frame ${f.seq} where ${this.expected} was due`;
      const ask = this.expected !== null || this.sinceAsked === 0 || this.sinceAsked >= ASK_EVERY;
      this.expected = null;
      this.sinceAsked = ask ? 1 : this.sinceAsked + 1;
      return { kind: "out-of-sync", ask, reason };
    }
    this.sinceAsked = 0;
    for (const k of f.removed) this.known.delete(serviceKeyString(k));
    for (const s of f.services) this.known.set(serviceKeyString(s.key), s);
    this.expected = f.seq + 1;
    this.updateAt = f.at;
    if (f.more) return { kind: "pending" };
    return { kind: "snapshot", snapshot: { at: this.updateAt, services: [...this.known.values()] } };
  }
}
