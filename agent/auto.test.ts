import { describe, expect, it } from "vitest";
import { detectEngine } from "./auto.ts";

const exec = (code: number, stderr = "") => ({ run: async () => ({ code, stdout: "", stderr }) });

describe("detectEngine", () => {
  it("picks userspace without /proc/net/ip_vs", async () => {
    expect(await detectEngine({ exists: async () => false, exec: exec(0), ipvsadm: "ipvsadm" })).toMatchObject({ engine: "userspace", reason: /no IPVS/ });
  });
  it("picks userspace when ipvsadm is missing", async () => {
    const missing = { run: async () => { throw Object.assign(new Error("spawn ipvsadm ENOENT"), { code: "ENOENT" }); } };
    expect(await detectEngine({ exists: async () => true, exec: missing, ipvsadm: "ipvsadm" })).toMatchObject({ engine: "userspace", reason: /ENOENT/ });
  });
  it("picks userspace when not permitted", async () => {
    const r = await detectEngine({ exists: async () => true, exec: exec(2, "Permission denied (you must be root)"), ipvsadm: "ipvsadm" });
    expect(r).toMatchObject({ engine: "userspace", reason: /Permission denied/ });
  });
  it("picks ipvs when ipvsadm's first run loads the ip_vs module (fresh boot: /proc/net/ip_vs appears only then)", async () => {
    let loaded = false;
    const modprobing = { run: async () => { loaded = true; return { code: 0, stdout: "", stderr: "" }; } };
    const r = await detectEngine({ exists: async () => loaded, exec: modprobing, ipvsadm: "ipvsadm" });
    expect(r).toEqual({ engine: "ipvs", reason: "kernel IPVS (the ip_vs module was loaded by ipvsadm) and ipvsadm usable" });
  });
  it("without IPVS and without ipvsadm, says both", async () => {
    const missing = { run: async () => { throw new Error("spawn ipvsadm ENOENT"); } };
    const r = await detectEngine({ exists: async () => false, exec: missing, ipvsadm: "ipvsadm" });
    expect(r.reason).toBe("the kernel has no IPVS (/proc/net/ip_vs missing) and ipvsadm is not usable: spawn ipvsadm ENOENT");
  });
  it("picks ipvs when everything is there", async () => {
    expect(await detectEngine({ exists: async () => true, exec: exec(0), ipvsadm: "ipvsadm" })).toMatchObject({ engine: "ipvs" });
  });
});
