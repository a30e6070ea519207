/**
 * A fake `ipvsadm` behind the Exec interface, for unit tests: keeps a kernel table, applies `-R`
 * lines with lvs/ops's kernel simulator (kernel error texts, continue after kernel errors, stop on
 * a parse error with exit 2 — like ipvsadm), and prints -S -n / -Ln / --thresholds / --stats / --rate
 * / -Lnc with the lvs/ listing renderers. Every -R batch is recorded.
 */
import { DEFAULT_IPVS_TIMEOUTS, type ConnectionEntry, type Counters, type IpvsTable, type Rates } from "../../../lvs/model.ts";
import { renderTimeouts } from "../../../lvs/formats/listings/timeouts.ts";
import { serviceKeyString } from "../../../lvs/tableKey.ts";
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
  /** the kernel always has timeouts (900 120 300 after boot) */
  table: IpvsTable = { services: [], timeouts: { ...DEFAULT_IPVS_TIMEOUTS } };
  /** how many times -Z ran, and on what ("" = all services) */
  zeroed: string[] = [];
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
        return ok(renderRules(this.table, { thresholds: false, timeouts: false }));
      case "-L --timeout":
      case "-Ln --timeout":
        return ok(renderTimeouts(this.table.timeouts ?? DEFAULT_IPVS_TIMEOUTS));
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
        if (argv[1] === "-Z") return this.zero(argv.slice(1));
        // a single command such as `ipvsadm --set 900 120 300` runs like a one-line -R (not recorded as a batch)
        if (argv[1] === "--set") return this.restore(args, false);
        return { code: 2, stdout: "", stderr: `fake ipvsadm: unsupported arguments: ${args}\n` };
    }
  }

  /** `-Z` or `-Z -t|-u|-f SERVICE`: zero the counters (the kernel answers "No such service", exit 255, for an unknown one). */
  private zero(args: readonly string[]): ExecResult {
    const argv = parseArgv([...args]);
    if (!argv.ok) return { code: 2, stdout: "", stderr: `${argv.option}: bad option\n` };
    const svc = argv.options[1];
    if (!svc) {
      this.counters.clear();
      this.zeroed.push("");
      return { code: 0, stdout: "", stderr: "" };
    }
    // parse the service as a -D line would, to get its key
    const del = parseArgv(["-D", ...args.slice(1)]);
    const r = del.ok ? interpretLine(del.options, del.leftovers) : null;
    if (r?.kind !== "op" || r.op.kind !== "delete-service") return { code: 2, stdout: "", stderr: "fake ipvsadm: bad -Z service\n" };
    const key = serviceKeyString(r.op.service);
    const s = this.table.services.find((x) => serviceKeyString(serviceKeyOf(x)) === key);
    if (!s) return { code: 255, stdout: "", stderr: "No such service\n" };
    this.counters.delete("service");
    for (const d of s.destinations) this.counters.delete(`${d.address}:${d.port}`);
    this.zeroed.push(key);
    return { code: 0, stdout: "", stderr: "" };
  }

  private restore(text: string, record = true): ExecResult {
    if (record) this.batches.push(text);
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
