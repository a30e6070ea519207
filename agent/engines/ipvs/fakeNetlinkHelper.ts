/**
 * A fake `lvs-ipvs-nl` behind the Exec interface, for unit tests: shares its "kernel" table with a
 * FakeIpvsadm (the engine's other door), applies op lines with lvs/ops's kernel simulator (every op
 * tried, a failed one reported as "op N: <kernel text>", exit 1; a malformed line refuses the whole
 * batch with exit 2, as the helper does), and prints `dump` / `stats`. `unavailable` makes it answer
 * like a kernel without IPVS (exit 3).
 */
import { TableBuilder } from "../../../lvs/tableBuilder.ts";
import { LvsError } from "../../../lvs/errors.ts";
import { serviceKeyString } from "../../../lvs/tableKey.ts";
import type { Op } from "../../../lvs/ops.ts";
import type { Exec, ExecResult } from "./exec.ts";
import { FakeIpvsadm } from "./fakeIpvsadm.ts";
import { parseOpLine, renderDump } from "./netlinkFormat.ts";

export const FAKE_HELPER = "/usr/lib/lvs-agent/lvs-ipvs-nl";

export class FakeNetlinkHelper implements Exec {
  readonly ipvsadm: FakeIpvsadm;
  unavailable = false;
  /** helper commands run, in order */
  calls: string[] = [];
  batches: string[] = [];
  /** counter text (" conns inpkts ... outbps") by "serviceKey" or "serviceKey|addr|port" (a real server's may start with " active inact persist"); absent = zeros */
  counters = new Map<string, string>();
  /** op lines matching this are refused by the "kernel" with the given message */
  reject: { test: (line: string) => boolean; message: string } | null = null;
  /** the files `stats-since` keeps its previous output in ("LVSNL token\n" + text), by path */
  files = new Map<string, string>();
  /** answer `stats-since` like a helper that predates it (usage, exit 2) */
  noStatsSince = false;

  constructor(ipvsadm = new FakeIpvsadm()) {
    this.ipvsadm = ipvsadm;
  }

  async run(argv: readonly string[], stdin?: string): Promise<ExecResult> {
    if (argv[0] !== FAKE_HELPER) return this.ipvsadm.run(argv, stdin);
    const cmd = argv.slice(1).join(" ");
    this.calls.push(cmd);
    if (this.unavailable) return { code: 3, stdout: "", stderr: "lvs-ipvs-nl: the kernel has no IPVS generic netlink family (is ip_vs loaded?)\n" };
    if (cmd === "dump") return { code: 0, stdout: renderDump(this.ipvsadm.table), stderr: "" };
    if (cmd === "stats") return { code: 0, stderr: "", stdout: this.statsText() };
    if (argv[1] === "stats-since" && argv.length === 4 && !this.noStatsSince) return { code: 0, stderr: "", stdout: this.statsSince(argv[2]!, argv[3]!) };
    if (cmd === "apply") return this.apply(stdin ?? "");
    return { code: 2, stdout: "", stderr: "lvs-ipvs-nl: usage: lvs-ipvs-nl apply|dump|stats\n" };
  }

  private statsText(): string {
    return renderDump(this.ipvsadm.table, (s, d) => this.counters.get(d ? `${serviceKeyString(s)}|${d.address}|${d.port}` : serviceKeyString(s)) ?? "");
  }

  /** What lvs-ipvs-nl stats-since prints (and keeps in `file`): native/lvs-ipvs-nl.c cmd_stats_since. */
  private statsSince(file: string, token: string): string {
    const now = this.statsText();
    const old = this.files.get(file);
    const oldToken = old ? /^LVSNL (\d+)\n/.exec(old)?.[1] : undefined;
    const next = String(oldToken ? Number(oldToken) + 1 : 1_000_000);
    this.files.set(file, `LVSNL ${next}\n${now}`);
    if (!old || !oldToken || token === "-" || token !== oldToken) return `F ${next}\n${now}`;
    const blocks = (text: string) => {
      const m = new Map<string, string>();
      for (const b of text.split(/(?=^S )/m)) if (b) m.set(b.split(" ").slice(0, 6).join(" ").split("\n")[0]!, b);
      return m;
    };
    const before = blocks(old.slice(old.indexOf("\n") + 1));
    let out = `D ${next}\n`;
    const after = blocks(now);
    for (const [k, b] of after) if (before.get(k) !== b) out += b;
    for (const k of before.keys()) if (!after.has(k)) out += `R ${k.slice(2)}\n`;
    return out;
  }

  private apply(text: string): ExecResult {
    this.batches.push(text);
    const ops: { op: Op; line: string }[] = [];
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === "") continue;
      const op = parseOpLine(lines[i]!);
      if (!op) return { code: 2, stdout: "", stderr: `lvs-ipvs-nl: line ${i + 1}: bad op\n` };
      ops.push({ op, line: lines[i]! });
    }
    const table = TableBuilder.from(this.ipvsadm.table);
    let stderr = "";
    ops.forEach(({ op, line }, n) => {
      if (this.reject?.test(line)) {
        stderr += `op ${n}: ${this.reject.message}\n`;
        return;
      }
      try {
        table.apply(op);
      } catch (e) {
        if (!(e instanceof LvsError)) throw e;
        stderr += `op ${n}: ${e.message.replace(/ \(.*\)$/, "")}\n`;
      }
    });
    this.ipvsadm.table = table.toTable();
    return { code: stderr ? 1 : 0, stdout: "", stderr };
  }
}
