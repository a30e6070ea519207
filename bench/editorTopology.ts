/**
 * The topology bench:editor loads: `nodes` nodes and `edges` edges (default 500 and 1 000, the
 * issue's scale goal), laid out in three columns like the editor's own default layout.
 *  - directors in HA pairs; every service placed on one pair (2 placement edges each);
 *  - the remaining edges are memberships spread over the real servers (one real server serves
 *    several services), every 7th service NAT, the rest DR.
 * Deterministic: the same arguments give the same document.
 */
import { newDirector, newMembership, newRealServer, newVirtualService } from "../lvs/defaults.ts";
import type { Membership, Topology } from "../lvs/model.ts";

export interface BenchShape {
  directors: number;
  services: number;
  realServers: number;
  memberships: number;
}

/** Splits a node and edge budget: 2% directors, 28% services, the rest real servers. */
export function benchShape(nodes: number, edges: number): BenchShape {
  const directors = Math.max(2, 2 * Math.round((nodes * 0.02) / 2));
  const services = Math.max(1, Math.round(nodes * 0.28));
  const realServers = nodes - directors - services;
  const memberships = edges - 2 * services;
  if (realServers < 1) throw new RangeError(`nodes=${nodes}: too few nodes for ${directors} directors and ${services} services`);
  if (memberships < services) throw new RangeError(`edges=${edges}: needs at least ${3 * services} edges for ${services} services`);
  if (memberships > services * realServers) throw new RangeError(`edges=${edges}: more memberships than service × real server pairs`);
  return { directors, services, realServers, memberships };
}

const ip = (a: number, n: number) => `10.${a}.${Math.floor(n / 250)}.${(n % 250) + 1}`;

export function benchTopology(nodes = 500, edges = 1000, name = "bench-editor"): Topology {
  const shape = benchShape(nodes, edges);
  const t: Topology = { name, directors: [], services: [], realServers: [], memberships: [], layout: {} };
  for (let d = 0; d < shape.directors; d++) {
    const id = `dir-${d + 1}`;
    t.directors.push(newDirector(id, `lb${d + 1}`, { engine: "ipvs", interfaces: [{ name: "eth0", address: ip(1, d), prefix: 8 }] }));
    t.layout[id] = { x: 0, y: d * 130 };
  }
  for (let s = 0; s < shape.services; s++) {
    const id = `svc-${s + 1}`;
    const pair = (s % (shape.directors / 2)) * 2;
    t.services.push(
      newVirtualService(id, { protocol: s % 5 === 4 ? "udp" : "tcp", address: ip(100, s), port: s % 2 ? 443 : 80 }, {
        scheduler: ["wlc", "rr", "sh", "lc"][s % 4]!,
        persistence: s % 3 === 0 ? { timeout: 360, netmask: null } : null,
        directorIds: [`dir-${pair + 1}`, `dir-${pair + 2}`],
      }),
    );
    t.layout[id] = { x: 420, y: s * 90 };
  }
  for (let r = 0; r < shape.realServers; r++) {
    const id = `rs-${r + 1}`;
    t.realServers.push(newRealServer(id, ip(200, r), { name: `web${r + 1}` }));
    t.layout[id] = { x: 880, y: r * 75 };
  }
  // memberships: round k gives every service one more real server, until the budget is spent
  const members: Membership[] = [];
  for (let k = 0; members.length < shape.memberships; k++) {
    for (let s = 0; s < shape.services && members.length < shape.memberships; s++) {
      const r = (s * 3 + k) % shape.realServers;
      const nat = s % 7 === 6;
      members.push(
        newMembership(`m-${members.length + 1}`, `svc-${s + 1}`, `rs-${r + 1}`, { method: nat ? "nat" : "dr", weight: 1 + ((s + k) % 5) }),
      );
    }
  }
  t.memberships = members;
  return t;
}
