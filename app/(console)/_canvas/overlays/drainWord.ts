/**
 * What the live canvas calls a quiesced real server, in the drain's own words (lvs/drain.ts, the
 * inspector and the Deploy tab): weight 0 with connections still counted is "draining"; "drained"
 * only once ActiveConn and InActConn are both 0. Pure; unit-tested.
 */
export type DrainWord = "draining" | "drained";

export function drainWord(f: { quiesced: boolean; activeConns: number; inactConns: number }): DrainWord | null {
  if (!f.quiesced) return null;
  return f.activeConns === 0 && f.inactConns === 0 ? "drained" : "draining";
}
