/**
 * npm run bench:schedulers — decision cost per scheduler for N = 10 … 10 000 real servers (ns/op).
 * Pure in-process loop over `schedule(ctx)` with a reused context and varied client addresses;
 * overheads are varied so least-connection schedulers do real comparisons. Bounded: ~0.2 s per cell.
 */
import { schedulers } from "../lvs/schedulers/registry.ts";
import { SCHEDULERS } from "../lvs/model.ts";
import { dests, context } from "../lvs/schedulers/testing.ts";
import type { SchedulerDestination } from "../lvs/schedulers/scheduler.ts";

const SIZES = [10, 100, 1000, 10000];
const BUDGET_MS = Number(process.env.BENCH_MS ?? 200);
/** hashing schedulers are O(1) by design; rr/wrr are O(1) amortised while all servers are available */
const CONSTANT = new Set(["rr", "wrr", "sh", "dh", "mh", "lblc"]);

function makeList(n: number): SchedulerDestination[] {
  const list = dests(Array.from({ length: n }, (_, i) => ({
    address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    weight: 1 + (i % 7),
    active: (i * 7919) % 50,
    inactive: (i * 104729) % 300,
  })));
  return list;
}

let rng = 0x12345678;
const random = (): number => {
  rng ^= rng << 13; rng >>>= 0;
  rng ^= rng >>> 17;
  rng ^= rng << 5; rng >>>= 0;
  return rng;
};

const header = ["sched".padEnd(6), ...SIZES.map((n) => `N=${n}`.padStart(10))].join(" ");
process.stdout.write(`scheduler decision cost, ns/op (median of 3 runs of ${BUDGET_MS} ms)\n${header}\n`);
const failures: string[] = [];
for (const name of SCHEDULERS) {
  const cells: string[] = [];
  for (const n of SIZES) {
    if (name === "mh" && n > 4093) {
      cells.push("n/a".padStart(10)); // the kernel refuses more destinations than table slots (-EINVAL)
      continue;
    }
    const list = makeList(n);
    const s = schedulers.create(name);
    s.init?.({ family: "inet", flags: [] }, list);
    const ctx = context(list, { random });
    const runs: number[] = [];
    let sink = 0;
    for (let r = 0; r < 3; r++) {
      let ops = 0;
      const t0 = performance.now();
      const end = t0 + BUDGET_MS;
      // bounded: checks the time every 1024 decisions, at most 50 M decisions
      while (ops < 50_000_000) {
        for (let i = 0; i < 1024; i++) {
          ctx.clientFold = (ops + i) * 2654435761;
          ctx.clientPort = 1024 + ((ops + i) & 0x7fff);
          if (s.schedule(ctx) !== null) sink++;
        }
        ops += 1024;
        if (performance.now() >= end) break;
      }
      runs.push(((performance.now() - t0) * 1e6) / ops);
    }
    runs.sort((a, b) => a - b);
    const ns = runs[1]!;
    if (sink === 0) failures.push(`${name} N=${n}: never chose a destination`);
    if (CONSTANT.has(name) && ns > 50) failures.push(`${name} N=${n}: ${ns.toFixed(0)} ns > 50 ns target`);
    cells.push(ns.toFixed(ns < 100 ? 1 : 0).padStart(10));
  }
  process.stdout.write(`${name.padEnd(6)} ${cells.join(" ")}\n`);
}
process.stdout.write(
  "\nO(1) by design: rr wrr (amortised) sh dh mh lblc (cache hit); O(N) per decision: lc wlc sed nq fo ovf twos lblcr (on a miss)\n",
);
if (failures.length) process.stdout.write(`above target:\n  ${failures.join("\n  ")}\n`);
