import { describe, expect, it } from "vitest";
import { createMetricsRegistry, type DirectorMetrics } from "./metrics.ts";

const counters = (n: number) => ({ conns: n, inPkts: n * 10, outPkts: n * 8, inBytes: n * 1000, outBytes: n * 9000 });
const rates = { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };

const source: DirectorMetrics[] = [
  {
    name: "lb1",
    online: true,
    snapshot: {
      at: 0,
      services: [
        {
          key: { protocol: "tcp", family: "inet", address: "10.0.0.100", port: 80 },
          counters: counters(30),
          rates,
          destinations: [
            { address: "10.0.0.7", port: 80, weight: 1, activeConns: 4, inactConns: 2, persistConns: 0, counters: counters(20), rates },
            { address: "10.0.0.8", port: 80, weight: 0, activeConns: 1, inactConns: 0, persistConns: 0, counters: counters(10), rates },
          ],
        },
        { key: { protocol: "fwmark", family: "inet", fwmark: 7 }, counters: counters(5), rates, destinations: [] },
      ],
    },
    health: [{ service: { protocol: "tcp", family: "inet", address: "10.0.0.100", port: 80 }, address: "10.0.0.8", port: 80, up: false }],
  },
  { name: "lb2", online: false, snapshot: null, health: [] },
];

describe("metrics", () => {
  it("exposes node_exporter-style IPVS metrics with a director label", async () => {
    const text = await createMetricsRegistry(() => source).metrics();
    expect(text).toContain('node_ipvs_connections_total{director="lb1"} 35');
    expect(text).toContain('node_ipvs_incoming_bytes_total{director="lb1"} 35000');
    expect(text).toContain('node_ipvs_backend_connections_active{director="lb1",local_address="10.0.0.100",local_port="80",remote_address="10.0.0.7",remote_port="80",proto="TCP",local_mark=""} 4');
    expect(text).toContain('node_ipvs_backend_weight{director="lb1",local_address="10.0.0.100",local_port="80",remote_address="10.0.0.8",remote_port="80",proto="TCP",local_mark=""} 0');
    expect(text).toContain('node_ipvs_service_connections_total{director="lb1",local_address="",local_port="0",proto="FWM",local_mark="7"} 5');
    expect(text).toContain('lvs_director_up{director="lb1"} 1');
    expect(text).toContain('lvs_director_up{director="lb2"} 0');
    expect(text).toContain('lvs_backend_health_up{director="lb1",local_address="10.0.0.100",local_port="80",remote_address="10.0.0.8",remote_port="80",proto="TCP",local_mark=""} 0');
    expect(text).toMatch(/# TYPE node_ipvs_connections_total counter/);
    expect(text).not.toContain('node_ipvs_connections_total{director="lb2"}');
  });

  it("reads the source once per scrape and reflects new values on the next", async () => {
    let reads = 0;
    let n = 1;
    const reg = createMetricsRegistry(() => {
      reads++;
      return [{ ...source[0]!, snapshot: { at: 0, services: [{ ...source[0]!.snapshot!.services[0]!, counters: counters(n) }] } }];
    });
    expect(await reg.metrics()).toContain('node_ipvs_connections_total{director="lb1"} 1');
    expect(reads).toBe(1);
    await new Promise((r) => setTimeout(r, 5));
    n = 2;
    expect(await reg.metrics()).toContain('node_ipvs_connections_total{director="lb1"} 2');
  });
});
