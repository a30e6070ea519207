// Issue 18's import defects, each reproduced as the issue describes it.
import { describe, expect, it } from "vitest";
import type { Topology } from "@/lvs/model.ts";
import { validate } from "@/lvs/validate.ts";
import { parseImport } from "./formats.ts";
import { applyPlan, importCounts, planImport, uniqueDirectorName } from "./importMerge.ts";

const empty: Topology = { name: "t", directors: [], services: [], realServers: [], memberships: [], layout: {} };
let seq = 0;
const newId = (k: string) => `${k}-${++seq}`;

const RULES = `-A -t 192.168.195.110:80 -s rr
-a -t 192.168.195.110:80 -r 192.168.195.11:80 -g -w 1
-a -t 192.168.195.110:80 -r 192.168.195.12:80 -g -w 1
-A -t 192.168.195.110:443 -s rr
-a -t 192.168.195.110:443 -r 192.168.195.11:443 -g -w 1
-a -t 192.168.195.110:443 -r 192.168.195.12:443 -g -w 1
-a -t 192.168.195.110:443 -r 192.168.195.13:443 -g -w 1
`;

const KEEPALIVED = `vrrp_instance VI_1 {
    state MASTER
    interface eno1
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.195.110/24
    }
}
virtual_server 192.168.195.110 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 192.168.195.11 80 {
        weight 1
    }
    real_server 192.168.195.12 80 {
        weight 1
    }
}
`;

function importInto(doc: Topology, text: string, format: "ipvsadm" | "keepalived", name = "imported"): Topology {
  const p = parseImport(text, format);
  expect(p.errors).toEqual([]);
  return applyPlan(doc, planImport(doc, p.table, { kind: "new", name }, newId, p.meta, p.vrrp));
}

describe("import into one topology", () => {
  it("rules, then a keepalived.conf with the same director name: one director, not two called imported", () => {
    const afterRules = importInto(empty, RULES, "ipvsadm");
    const afterBoth = importInto(afterRules, KEEPALIVED, "keepalived");
    expect(afterBoth.directors.map((d) => d.name)).toEqual(["imported"]);
    expect(afterBoth.services.every((s) => s.directorIds.length === 1)).toBe(true);
  });
  it("the dialog proposes a free name; two directors that still share a name get a warning", () => {
    const doc = importInto(empty, RULES, "ipvsadm");
    expect(uniqueDirectorName(doc, "imported")).toBe("imported-2");
    const twins: Topology = { ...doc, directors: [...doc.directors, { ...doc.directors[0]!, id: "d-twin" }] };
    expect(validate(twins).filter((i) => i.code === "topology.duplicate-director-name").map((i) => i.objectId)).toEqual(["d-twin"]);
  });
  it("keepalived's interface and /24 address become the new director's interface: no errors the file does not have", () => {
    const doc = importInto(empty, KEEPALIVED, "keepalived");
    expect(doc.directors[0]!.interfaces).toEqual([{ name: "eno1", address: "192.168.195.110", prefix: 24 }]);
    expect(validate(doc).filter((i) => i.code === "dr.rip-outside-dip-subnet")).toEqual([]);
  });
  it("keepalived into an existing director adds the interface it lacks", () => {
    const afterRules = importInto(empty, RULES, "ipvsadm");
    expect(afterRules.directors[0]!.interfaces).toEqual([]);
    const afterBoth = importInto(afterRules, KEEPALIVED, "keepalived");
    expect(afterBoth.directors[0]!.interfaces).toEqual([{ name: "eno1", address: "192.168.195.110", prefix: 24 }]);
  });
  it("the preview counts entries and nodes: 5 real-server entries on 3 real servers (one address serves two services)", () => {
    const c = importCounts(empty, parseImport(RULES, "ipvsadm"));
    expect(c).toMatchObject({ services: 2, memberships: 5, realServers: 3, newRealServers: 3, reusedRealServers: 0 });
    const doc = importInto(empty, RULES, "ipvsadm");
    expect(doc.realServers).toHaveLength(3);
    const again = importCounts(doc, parseImport(KEEPALIVED, "keepalived"));
    expect(again).toMatchObject({ memberships: 2, realServers: 2, newRealServers: 0, reusedRealServers: 2, interfaces: 1 });
  });
});
