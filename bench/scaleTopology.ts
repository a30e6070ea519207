/**
 * The big cluster bench:scale opens in the UI: `services` virtual services (default 10 000) with
 * `perService` memberships each (default 5: 50 000), kube-proxy style. Directors: two HA pairs and
 * two single directors (services spread round robin over the four placements); real servers are a
 * shared pool (each serves `perService` neighbouring services' ports), every 9th membership draining.
 * NAT on the userspace engine, so the document validates clean (kernel NAT would need a gateway per
 * real server pointing at one director's DIP, and this pool serves all of them). Deterministic. No layout: a document this size opens grouped.
 */
import { newDirector, newMembership, newRealServer, newVirtualService } from "../lvs/defaults.ts";
import type { Topology } from "../lvs/model.ts";

const ip = (a: number, n: number) => `10.${a + Math.floor(n / 62_500)}.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;

export function scaleTopology(services = 10_000, perService = 5, name = "bench-scale"): Topology {
  const t: Topology = { name, directors: [], services: [], realServers: [], memberships: [], layout: {} };
  for (let d = 1; d <= 6; d++) t.directors.push(newDirector(`dir-${d}`, `lb${d}`, { engine: "userspace", interfaces: [{ name: "eth0", address: ip(1, d), prefix: 8 }] }));
  const placements = [["dir-1", "dir-2"], ["dir-3", "dir-4"], ["dir-5"], ["dir-6"]];
  const realServers = Math.max(perService, Math.ceil(services / 2));
  for (let r = 0; r < realServers; r++) t.realServers.push(newRealServer(`rs-${r + 1}`, ip(200, r), { name: `node${r + 1}` }));
  for (let s = 0; s < services; s++) {
    const id = `svc-${s + 1}`;
    t.services.push(newVirtualService(id, { protocol: s % 10 === 9 ? "udp" : "tcp", address: ip(100, Math.floor(s / 4)), port: 30000 + (s % 4) }, {
      scheduler: s % 3 ? "rr" : "wlc", directorIds: placements[s % placements.length]!,
    }));
    for (let k = 0; k < perService; k++) {
      const m = t.memberships.length + 1;
      const r = (Math.floor(s / 2) + k) % realServers;
      t.memberships.push(newMembership(`m-${m}`, id, `rs-${r + 1}`, { method: "nat", state: m % 9 === 0 ? "draining" : "active" }));
    }
  }
  return t;
}
