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
  it("picks ipvs when everything is there", async () => {
    expect(await detectEngine({ exists: async () => true, exec: exec(0), ipvsadm: "ipvsadm" })).toMatchObject({ engine: "ipvs" });
  });
});
