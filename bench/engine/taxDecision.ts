/**
 * The feature tax measured where it is paid: the engine's per-connection decision (persistence
 * lookup + scheduling + binding, `UserspaceEngine.pick`) for the bench's three services — rr over 3
 * real servers, wlc over 100, wlc over 100 with -p 360 — in this process, on a real engine bound to
 * its own loopback VIPs. Clients come from one address like wrk's, so the persistent service finds
 * its template after the first connection. Bounded: REPS × 3 cells of `count` decisions.
 */
import { UserspaceEngine } from "../../agent/engines/userspace/userspaceEngine.ts";
import type { RuntimeService } from "../../agent/engines/userspace/runtime.ts";
import { freePort, service } from "../../agent/engines/userspace/testing.ts";

export const TAX_SERVICES = ["minimal", "wlc100", "wlc100+persist"] as const;

/** ns per decision, median of `reps` interleaved cells of `count` decisions each */
export async function decisionCost(reps = 5, count = 20000): Promise<Record<(typeof TAX_SERVICES)[number], number>> {
  const engine = new UserspaceEngine({ tickMs: 0 });
  const many = Array.from({ length: 100 }, (_, i) => ({ address: "127.0.40.1", port: 9000 + i, weight: 1 + (i % 5) }));
  const vips = ["127.0.45.1", "127.0.45.2", "127.0.45.3"];
  const ports = await Promise.all(vips.map((v) => freePort(v)));
  const table = {
    services: [
      service("tcp", vips[0]!, ports[0]!, "rr", ["127.0.40.1", "127.0.40.2", "127.0.40.3"].map((a) => ({ address: a, port: 8080 }))),
      service("tcp", vips[1]!, ports[1]!, "wlc", many),
      service("tcp", vips[2]!, ports[2]!, "wlc", many, { persistence: { timeout: 360, netmask: null } }),
    ],
  };
  const r = await engine.apply(table);
  if (!r.ok) throw new Error(`tax engine: ${JSON.stringify(r.ops.filter((o) => !o.ok))}`);
  // the engine's services by key order (bench code: reads the private map)
  const svcs = [...(engine as unknown as { services: Map<string, RuntimeService> }).services.values()];
  const samples: number[][] = TAX_SERVICES.map(() => []);
  for (let rep = 0; rep < reps; rep++) {
    for (let k = 0; k < svcs.length; k++) {
      const i = (k + rep) % svcs.length;
      const svc = svcs.find((s) => s.key.address === vips[i])!;
      const t0 = process.hrtime.bigint();
      for (let n = 0; n < count; n++) engine.pick(svc, "127.0.0.1", 10000 + (n % 50000));
      samples[i]!.push(Number(process.hrtime.bigint() - t0) / count);
    }
  }
  await engine.close();
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  return { minimal: med(samples[0]!), wlc100: med(samples[1]!), "wlc100+persist": med(samples[2]!) };
}
