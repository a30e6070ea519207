/**
 * /metrics in Prometheus text format.
 *
 * Names and labels follow node_exporter's IPVS collector where it has them
 * (node_ipvs_backend_connections_active / _inactive / _weight with local_address, local_port,
 * remote_address, remote_port, proto, local_mark; node_ipvs_connections_total and the
 * packets/bytes totals), with one extra `director` label because one control plane sees many
 * directors. It adds per-service counters (node_ipvs_service_*), director up/down and per-real-server
 * health, which node_exporter cannot know.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { Counters, IpvsServiceKey, StatsSnapshot } from "../../lvs/model.ts";

export interface DirectorMetrics {
  name: string;
  online: boolean;
  snapshot: StatsSnapshot | null;
  /** health per destination, keyed "serviceKey|address|port" as the agent reports it */
  health: { service: IpvsServiceKey; address: string; port: number; up: boolean }[];
}

export type MetricsSource = () => Promise<DirectorMetrics[]> | DirectorMetrics[];

const serviceLabels = ["director", "local_address", "local_port", "proto", "local_mark"] as const;
const backendLabels = ["director", "local_address", "local_port", "remote_address", "remote_port", "proto", "local_mark"] as const;

function keyLabels(director: string, key: IpvsServiceKey) {
  return key.protocol === "fwmark"
    ? { director, local_address: "", local_port: "0", proto: "FWM", local_mark: String(key.fwmark) }
    : { director, local_address: key.address, local_port: String(key.port), proto: key.protocol.toUpperCase(), local_mark: "" };
}

/** Backend labels in node_exporter's order. */
function backendLabelValues(director: string, key: IpvsServiceKey, address: string, port: number) {
  const k = keyLabels(director, key);
  return {
    director,
    local_address: k.local_address,
    local_port: k.local_port,
    remote_address: address,
    remote_port: String(port),
    proto: k.proto,
    local_mark: k.local_mark,
  };
}

const COUNTERS: [keyof Counters, string, string][] = [
  ["conns", "connections_total", "The total number of connections made."],
  ["inPkts", "incoming_packets_total", "The total number of incoming packets."],
  ["outPkts", "outgoing_packets_total", "The total number of outgoing packets."],
  ["inBytes", "incoming_bytes_total", "The total amount of incoming data."],
  ["outBytes", "outgoing_bytes_total", "The total amount of outgoing data."],
];

/** A registry whose collectors read `source` at scrape time (no state kept between scrapes). */
export function createMetricsRegistry(source: MetricsSource, opts: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry, prefix: "lvs_console_" });

  let cache: Promise<DirectorMetrics[]> | null = null;
  // every collector of one scrape shares one read of the source
  const read = () => (cache ??= Promise.resolve(source()).finally(() => setTimeout(() => (cache = null), 0)));

  for (const [field, suffix, help] of COUNTERS) {
    new Counter({
      name: `node_ipvs_${suffix}`,
      help: `${help} (per director)`,
      labelNames: ["director"],
      registers: [registry],
      async collect() {
        this.reset();
        for (const d of await read()) {
          const total = (d.snapshot?.services ?? []).reduce((a, s) => a + s.counters[field], 0);
          if (d.snapshot) this.inc({ director: d.name }, total);
        }
      },
    });
    new Counter({
      name: `node_ipvs_service_${suffix}`,
      help: `${help} (per virtual service)`,
      labelNames: serviceLabels,
      registers: [registry],
      async collect() {
        this.reset();
        for (const d of await read()) for (const s of d.snapshot?.services ?? []) this.inc(keyLabels(d.name, s.key), s.counters[field]);
      },
    });
  }

  const backendGauge = (name: string, help: string, pick: (x: { activeConns: number; inactConns: number; weight: number }) => number) =>
    new Gauge({
      name,
      help,
      labelNames: backendLabels,
      registers: [registry],
      async collect() {
        this.reset();
        for (const d of await read())
          for (const s of d.snapshot?.services ?? [])
            for (const dest of s.destinations)
              this.set(backendLabelValues(d.name, s.key, dest.address, dest.port), pick(dest));
      },
    });
  backendGauge("node_ipvs_backend_connections_active", "The current active connections by local and remote address.", (x) => x.activeConns);
  backendGauge("node_ipvs_backend_connections_inactive", "The current inactive connections by local and remote address.", (x) => x.inactConns);
  backendGauge("node_ipvs_backend_weight", "The current backend weight by local and remote address.", (x) => x.weight);

  new Gauge({
    name: "lvs_director_up",
    help: "1 when the director's agent is connected to the control plane.",
    labelNames: ["director"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const d of await read()) this.set({ director: d.name }, d.online ? 1 : 0);
    },
  });
  new Gauge({
    name: "lvs_backend_health_up",
    help: "1 when the real server passes its health check, 0 when it fails.",
    labelNames: backendLabels,
    registers: [registry],
    async collect() {
      this.reset();
      for (const d of await read())
        for (const h of d.health)
          this.set(backendLabelValues(d.name, h.service, h.address, h.port), h.up ? 1 : 0);
    },
  });
  return registry;
}
