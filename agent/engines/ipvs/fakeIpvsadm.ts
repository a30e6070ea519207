/**
 * A fake `ipvsadm` behind the Exec interface, for unit tests: keeps a kernel table, applies `-R`
 * lines with lvs/ops's kernel simulator (kernel error texts, continue after kernel errors, stop on
 * a parse error with exit 2 — like ipvsadm), and prints -S -n / -Ln / --thresholds / --stats / --rate
 * / -Lnc with the lvs/ listing renderers. Every -R batch is recorded.
 */
import type { ConnectionEntry, Counters, IpvsTable, Rates } from "../../../lvs/model.ts";
import { TableBuilder } from "../../../lvs/tableBuilder.ts";
import { LvsError } from "../../../lvs/errors.ts";
import { parseArgv } from "../../../lvs/formats/ipvsadm/argv.ts";
import { interpretLine } from "../../../lvs/formats/ipvsadm/parseLine.ts";
import { renderRules } from "../../../lvs/formats/ipvsadm/render.ts";
import { listFromTable, renderList, renderThresholds } from "../../../lvs/formats/listings/list.ts";
import { renderRate, renderStats } from "../../../lvs/formats/listings/stats.ts";
import { renderConnections } from "../../../lvs/formats/listings/connections.ts";
import { serviceKeyOf } from "../../../lvs/tableKey.ts";
import type { Exec, ExecResult } from "./exec.ts";

const ZC: Counters = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
const ZR: Rates = { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };

export class FakeIpvsadm implements Exec {
  table: IpvsTable = { services: [] };
  batches: string[] = [];
  calls: string[] = [];
  /** lines matching this are rejected by the "kernel" with the given message */
  reject: { test: (line: string) => boolean; message: string } | null = null;
  counters = new Map<string, Counters>();
  connections: ConnectionEntry[] = [];

  async run(argv: readonly string[], stdin?: string): Promise<ExecResult> {
    const args = argv.slice(1).join(" ");
    this.calls.push(args);
    const ok = (stdout: string): ExecResult => ({ code: 0, stdout, stderr: "" });
    switch (args) {
      case "-S -n":
        return ok(renderRules(this.table, { thresholds: false }));
      case "-Ln":
        return ok(renderList(listFromTable(this.table)));
      case "-Ln --thresholds": {
        const l = listFromTable(this.table);
        return ok(renderThresholds({
          services: l.services.map((s, i) => ({
            ...s,
            destinations: this.table.services[i]!.destinations.map((d) => ({
              address: d.address, port: d.port, upperThreshold: d.upperThreshold, lowerThreshold: d.lowerThreshold, activeConns: 0, inactConns: 0,
            })),
          })),
        }));
      }
      case "-Ln --stats --exact":
        return ok(renderStats({
          services: this.table.services.map((s) => ({
            key: serviceKeyOf(s), counters: this.counters.get("service") ?? ZC,
            destinations: s.destinations.map((d) => ({ address: d.address, port: d.port, counters: this.counters.get(`${d.address}:${d.port}`) ?? ZC })),
          })),
        }, { exact: true }));
      case "-Ln --rate --exact":
        return ok(renderRate({
          services: this.table.services.map((s) => ({
            key: serviceKeyOf(s), rates: ZR, destinations: s.destinations.map((d) => ({ address: d.address, port: d.port, rates: ZR })),
          })),
        }, { exact: true }));
      case "-Lnc":
        return ok(renderConnections(this.connections));
      case "-R":
        return this.restore(stdin ?? "");
      default:
        return { code: 2, stdout: "", stderr: `fake ipvsadm: unsupported arguments: ${args}\n` };
    }
  }

  private restore(text: string): ExecResult {
    this.batches.push(text);
    let stderr = "";
    const table = TableBuilder.from(this.table);
    // the kernel applies each line as it comes: what ran before a parse error stays
    const done = (r: ExecResult): ExecResult => {
      this.table = table.toTable();
      return r;
    };
    for (const raw of text.split("\n")) {
      const line = raw.trim();
      if (!line) continue;
      const argv = parseArgv(line.split(/\s+/).filter((w) => w !== "ipvsadm"));
      if (!argv.ok) return done({ code: 2, stdout: "", stderr: stderr + `${argv.option}: bad option\n` });
      const r = interpretLine(argv.options, argv.leftovers);
      if (r.kind === "error") return done({ code: 2, stdout: "", stderr: stderr + `${r.error.message}\n` });
      if (r.kind === "ignored") continue;
      if (this.reject?.test(line)) {
        stderr += `${this.reject.message}\n`;
        continue;
      }
      try {
        table.apply(r.op);
      } catch (e) {
        if (!(e instanceof LvsError)) throw e;
        stderr += `${e.message.replace(/ \(.*\)$/, "")}\n`;
      }
    }
    return done({ code: stderr ? 1 : 0, stdout: "", stderr });
  }
}
