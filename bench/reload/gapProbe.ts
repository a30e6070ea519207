/**
 * Ping-pong over one established connection through a VIP (to an echoing backend), recording the
 * longest time between two replies: while the forwarding thread is blocked, no reply comes back.
 * Bounded: it stops on stop() or after `maxRoundTrips`.
 */
import type net from "node:net";

export interface GapFigures {
  roundTrips: number;
  /** longest time without a reply, from start() to stop() */
  longestGapMs: number;
  durationMs: number;
}

export function startGapProbe(socket: net.Socket, o: { maxRoundTrips?: number; clock?: () => number } = {}): { stop(): GapFigures } {
  const clock = o.clock ?? (() => performance.now());
  const max = o.maxRoundTrips ?? 1_000_000;
  const started = clock();
  let last = started;
  let longest = 0;
  let roundTrips = 0;
  let running = true;
  const onData = (): void => {
    const now = clock();
    longest = Math.max(longest, now - last);
    last = now;
    roundTrips++;
    if (running && roundTrips < max) socket.write("p");
  };
  socket.on("data", onData);
  socket.write("p");
  return {
    stop() {
      running = false;
      socket.off("data", onData);
      const now = clock();
      return { roundTrips, longestGapMs: Math.max(longest, now - last), durationMs: now - started };
    },
  };
}
