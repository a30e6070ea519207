import { describe, expect, it } from "vitest";
import type { IpvsService, IpvsTable } from "./model.ts";
import { parseRules } from "./formats/ipvsadm/parse.ts";
import { tableChanges } from "./tableChanges.ts";

const table = (text: string): IpvsTable => {
  const r = parseRules(text);
  expect(r.errors).toEqual([]);
  return r.table;
};
const keys = (ss: IpvsService[]) => ss.map((s) => (s.protocol === "fwmark" ? `fwmark ${s.fwmark}` : `${s.protocol} ${s.address}:${s.port}`));

describe("tableChanges", () => {
  const before = table(`-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 1\n-A -u [2001:db8::1]:53 -s wlc\n-A -f 7 -s sh\n-a -f 7 -r 10.1.0.2 -g -w 2\n`);

  it("is empty for the same table, and lists only what changed otherwise", () => {
    expect(tableChanges(before, before)).toEqual({ upsert: [], remove: [] });
    const after = table(`-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 2\n-A -f 7 -s sh\n-a -f 7 -r 10.1.0.2 -g -w 2\n-A -t 10.0.0.9:443 -s wrr\n`);
    const c = tableChanges(before, after);
    expect(keys(c.upsert)).toEqual(["tcp 10.0.0.1:80", "tcp 10.0.0.9:443"]);
    expect(c.remove).toEqual([{ protocol: "udp", family: "inet6", address: "2001:db8::1", port: 53 }]);
  });

  it("sees a scheduler, flag or persistence change as an upsert of that service only", () => {
    const after = table(`-A -t 10.0.0.1:80 -s rr -p 300\n-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 1\n-A -u [2001:db8::1]:53 -s wlc\n-A -f 7 -s sh -b sh-port\n-a -f 7 -r 10.1.0.2 -g -w 2\n`);
    expect(keys(tableChanges(before, after).upsert)).toEqual(["tcp 10.0.0.1:80", "fwmark 7"]);
  });
});
