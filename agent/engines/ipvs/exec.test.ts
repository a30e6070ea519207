import { describe, expect, it } from "vitest";
import { nodeExec } from "./exec.ts";

describe("nodeExec.runBytes: a real child's stdout as bytes through a private file", () => {
  it("gives the bytes, stderr and exit code; big answers whole", async () => {
    const e = nodeExec();
    const big = "S 2 6 10.0.0.1 80 0 wlc - 0 0 255.255.255.255 1 2 3 4 5 6 7 8 9 10\n".repeat(40_000);
    const r = await e.runBytes!(["sh", "-c", 'cat; echo oops >&2; exit 3'], big);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("oops\n");
    expect(Buffer.from(r.stdout).toString("latin1")).toBe(big);
    const small = await e.runBytes!(["printf", "D 7\\n"]);
    expect(Buffer.from(small.stdout).toString()).toBe("D 7\n");
    expect((await e.run(["printf", "x"])).stdout).toBe("x");
  });
});
