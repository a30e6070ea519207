/**
 * The kernel's rate estimator (ip_vs_est.c): every 2 seconds the counter deltas are scaled
 * (conns/packets << 9, bytes << 4 over 2 s = per second << 10 resp. << 5) and folded into an EWMA
 * with weight 1/4 (`avg += (rate - avg) >> 2`); reading rounds `(avg + 0x1FF) >> 10` resp.
 * `(avg + 0xF) >> 5`. One ticker drives every estimator; no timer per object.
 */
import type { Counters, Rates } from "../../../lvs/model.ts";

export const ESTIMATOR_INTERVAL_MS = 2000;

const shr = (x: number, n: number): number => Math.floor(x / 2 ** n);

export class RateEstimator {
  private lastConns = 0;
  private lastInPkts = 0;
  private lastOutPkts = 0;
  private lastInBytes = 0;
  private lastOutBytes = 0;
  private cps = 0;
  private inPps = 0;
  private outPps = 0;
  private inBps = 0;
  private outBps = 0;

  /** Start from the current totals (ip_vs_start_estimator / zeroing). */
  reset(c: Counters): void {
    this.lastConns = c.conns;
    this.lastInPkts = c.inPkts;
    this.lastOutPkts = c.outPkts;
    this.lastInBytes = c.inBytes;
    this.lastOutBytes = c.outBytes;
    this.cps = this.inPps = this.outPps = this.inBps = this.outBps = 0;
  }

  /** One 2-second sample (estimation_timer). */
  sample(c: Counters): void {
    this.cps += shr((c.conns - this.lastConns) * 2 ** 9 - this.cps, 2);
    this.inPps += shr((c.inPkts - this.lastInPkts) * 2 ** 9 - this.inPps, 2);
    this.outPps += shr((c.outPkts - this.lastOutPkts) * 2 ** 9 - this.outPps, 2);
    this.inBps += shr((c.inBytes - this.lastInBytes) * 2 ** 4 - this.inBps, 2);
    this.outBps += shr((c.outBytes - this.lastOutBytes) * 2 ** 4 - this.outBps, 2);
    this.lastConns = c.conns;
    this.lastInPkts = c.inPkts;
    this.lastOutPkts = c.outPkts;
    this.lastInBytes = c.inBytes;
    this.lastOutBytes = c.outBytes;
  }

  /** ip_vs_read_estimator */
  rates(): Rates {
    return {
      cps: shr(this.cps + 0x1ff, 10),
      inPps: shr(this.inPps + 0x1ff, 10),
      outPps: shr(this.outPps + 0x1ff, 10),
      inBps: shr(this.inBps + 0xf, 5),
      outBps: shr(this.outBps + 0xf, 5),
    };
  }
}
