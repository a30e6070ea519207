import { describe, expect, it } from "vitest";
import { isLocalAddress, LateBinds } from "./lateBinds.ts";

describe("LateBinds", () => {
  it("retries a bind only once its address is local, keeps waiting while the bind says so, and forgets it when done", async () => {
    const local = new Set<string>();
    const binds = new LateBinds(60_000, (a) => local.has(a));
    const calls: string[] = [];
    let succeed = false;
    binds.add("k1", "10.0.0.100", async () => { calls.push("k1"); return succeed; });
    await binds.check();
    expect(calls).toEqual([]);
    expect(binds.keys()).toEqual(["k1"]);
    local.add("10.0.0.100");
    await binds.check();
    expect(calls).toEqual(["k1"]);
    expect(binds.has("k1")).toBe(true); // EADDRNOTAVAIL again (e.g. IPv6 tentative): still waiting
    succeed = true;
    await binds.check();
    expect(binds.size).toBe(0);
    expect(binds.keys()).toEqual([]);
    binds.close();
  });

  it("a deleted wait is not retried", async () => {
    const binds = new LateBinds(60_000, () => true);
    let n = 0;
    binds.add("k", "::1", async () => { n++; return true; });
    binds.delete("k");
    await binds.check();
    expect(n).toBe(0);
  });

  it("knows the loopback addresses of this host, in canonical form", () => {
    expect(isLocalAddress("127.0.0.1")).toBe(true);
    expect(isLocalAddress("0:0:0:0:0:0:0:1") || !isLocalAddress("::1")).toBe(true);
    expect(isLocalAddress("192.0.2.250")).toBe(false);
  });
});
