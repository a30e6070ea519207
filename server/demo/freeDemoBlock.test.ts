import net from "node:net";
import { describe, expect, it } from "vitest";
import { bindProbe, freeDemoBlock } from "./freeDemoBlock.ts";

describe("freeDemoBlock", () => {
  it("moves to the next block when one address of the preferred one is taken (fake probe)", async () => {
    const taken = new Set(["tcp 127.0.101.2:8080"]);
    const a = await freeDemoBlock(async (k, addr, port) => !taken.has(`${k} ${addr}:${port}`));
    expect(a!.block).toBe(101);
    expect(a!.http.vip).toBe("127.101.100.1");
    expect(a!.udp.backends).toEqual(["127.101.102.1", "127.101.102.2"]);
  });
  it("keeps the block it ran on before when that one is free", async () => {
    expect((await freeDemoBlock(async () => true, 107))!.block).toBe(107);
  });
  it("with a real socket holding the classic HTTP VIP, the demo gets another block", async () => {
    const holder = net.createServer();
    const ok = await new Promise<boolean>((r) => { holder.once("error", () => r(false)); holder.listen(8080, "127.0.100.1", () => r(true)); });
    try {
      const a = await freeDemoBlock(bindProbe);
      expect(a).not.toBeNull();
      if (ok) expect(a!.http.vip).not.toBe("127.0.100.1");
      expect(await bindProbe("tcp", a!.http.vip, a!.http.port)).toBe(true);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });
});
