import { describe, expect, it } from "vitest";
import { startAnswerServer } from "./answerServer.ts";

/** a stand-in helper: `sh -c SCRIPT` with the answer file's path as $0 (startAnswerServer appends it) */
const sh = (script: string, o: { timeoutMs?: number; maxBytes?: number } = {}) => startAnswerServer(["sh", "-c", script], o);

describe("startAnswerServer: a helper kept running, bounded", () => {
  it("answers request after request from the answer file, the bytes announced", async () => {
    const s = sh(`while read l; do printf 'answer to %s' "$l" > "$0"; n=$(wc -c < "$0"); echo "ok $n"; done`);
    try {
      expect(Buffer.from(await s.request("one")).toString()).toBe("answer to one");
      expect(Buffer.from(await s.request("two two")).toString()).toBe("answer to two two");
      expect(s.closed).toBe(false);
    } finally {
      s.close();
    }
  });

  it("an error line fails that request only; the process stays", async () => {
    const s = sh(`read l; echo "error listing line 3: not a service line"; read l; printf x > "$0"; echo "ok 1"`);
    try {
      await expect(s.request("a")).rejects.toThrow(/^sh -c: listing line 3: not a service line$/);
      expect(Buffer.from(await s.request("b")).toString()).toBe("x");
    } finally {
      s.close();
    }
  });

  it.each([
    ["a status line that is neither ok nor error", `read l; echo hello`, {}, /"hello" is not "ok BYTES" or "error TEXT"/],
    ["a status line past 200 bytes", `read l; head -c 300 /dev/zero | tr '\\0' a`, {}, /a status line longer than 200 bytes/],
    ["an answer past the bound", `read l; echo "ok 999999"`, { maxBytes: 1000 }, /an answer of 999999 bytes \(at most 1000\)/],
    ["an answer file shorter than announced", `read l; printf abc > "$0"; echo "ok 10"`, {}, /the answer file holds 3 of the 10 bytes announced/],
    ["no answer in time", `read l; sleep 5`, { timeoutMs: 150 }, /no answer within 150 ms/],
    ["the helper dies", `read l; echo 'lvs-ipvs-nl: netlink receive failed' >&2; exit 3`, {}, /exited \(code 3\): lvs-ipvs-nl: netlink receive failed/],
  ] as const)("%s: a clear error, the process gone, the next request refused", async (_what, script, o, error) => {
    const s = sh(script, o);
    await expect(s.request("fields - 10")).rejects.toThrow(error);
    await expect.poll(() => s.closed).toBe(true);
    await expect(s.request("fields - 10")).rejects.toThrow(/not running/);
  });

  it("one request at a time, one line each", async () => {
    const s = sh(`read l; sleep 0.2; printf x > "$0"; echo "ok 1"`);
    try {
      const first = s.request("a");
      await expect(s.request("b")).rejects.toThrow(/a request is still running/);
      await first;
      await expect(s.request("c\nd")).rejects.toThrow(/a request is one line/);
    } finally {
      s.close();
    }
  });
});
