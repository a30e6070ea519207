/**
 * The kernel engine: IPVS through ipvsadm, behind the Exec interface.
 * apply(): read (`ipvsadm -S -n` + `-Ln --thresholds`, since -S omits -x/-y) → plan with
 * lvs/reconcile over the MANAGED services only → one `ipvsadm -R` batch on stdin (never -C) →
 * read back → per-op results and a convergence verdict. Kernel services this agent never declared are
 * left alone and reported as "unmanaged". The managed set survives restarts in `managedFile`.
 *
 * With `helper` (the lvs-ipvs-nl binary, native/lvs-ipvs-nl.c) the same steps go over generic netlink
 * on one socket: a read is one `dump` (thresholds included), a batch one `apply`, stats one `stats`
 * whose unchanged lines are not parsed again. ipvsadm 1.31 sets up a new netlink socket for every
 * message, which at 10 000 services × 10 real servers costs minutes; the helper takes seconds. When the
 * helper cannot reach IPVS (exit 3 on the first use) the engine falls back to ipvsadm for good.
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { AppliedOp, ApplyResult, ConnectionList, ConnectionPage, EngineNote, ForwardingEngine } from "../../engine.ts";
import type { IpvsService, IpvsServiceKey, IpvsTable, StatsSnapshot } from "../../../lvs/model.ts";
import { parseRules, formatProblem } from "../../../lvs/formats/ipvsadm/parse.ts";
import { renderBatch, renderOp, serviceOption } from "../../../lvs/formats/ipvsadm/render.ts";
import { parseTimeouts } from "../../../lvs/formats/listings/timeouts.ts";
import { parseList, parseThresholds } from "../../../lvs/formats/listings/list.ts";
import { parseRate, parseStats } from "../../../lvs/formats/listings/stats.ts";
import { parseConnections } from "../../../lvs/formats/listings/connections.ts";
import { mergeListings } from "../../../lvs/formats/listings/mergeListings.ts";
import { plan } from "../../../lvs/reconcile.ts";
import { canonicalTable } from "../../../lvs/canonical.ts";
import { describeServiceKey, serviceKeyOf, serviceKeyString } from "../../../lvs/tableKey.ts";
import { formatAddressPort } from "../../../lvs/address.ts";
import type { BytesResult, Exec } from "./exec.ts";
import { verifyOps } from "./verify.ts";
import { opLines, parseDump } from "./netlinkFormat.ts";
import { NetlinkStatsReader } from "./netlinkStats.ts";
import { NetlinkColumnsReader } from "./netlinkColumns.ts";
import { ColumnsFromSnapshots, type StatsColumns } from "../../../lvs/stats/statsColumns.ts";
import { FIELDS_FRAME_BUDGET, type ServedFields } from "../../../lvs/stats/statsFields.ts";
import type { AnswerServer } from "./answerServer.ts";
import { ServedFieldsReader } from "./servedFields.ts";

export interface IpvsEngineOptions {
  exec: Exec;
  /** ipvsadm binary (default "ipvsadm") */
  ipvsadm?: string;
  /** JSON list of managed service keys, kept across restarts (usually <state-dir>/ipvs-managed.json) */
  managedFile?: string;
  now?: () => number;
  /** path of the lvs-ipvs-nl helper; absent = ipvsadm only */
  helper?: string | null;
  /** told once when the helper does not work and ipvsadm takes over */
  onHelperFallback?: (why: string) => void;
  /**
   * where the helper keeps its last stats output (`stats-since`, best on a tmpfs such as /run): it then
   * prints only the services whose figures changed. Absent = a whole `stats` listing every read.
   */
  statsStateFile?: string | null;
  /**
   * stats.fields from a helper kept running (`lvs-ipvs-nl serve`, when the Exec can start one): it keeps
   * the last figures and answers only the differences, as the frames' JSON. Default true; false = the
   * columns read from `stats-since` each second.
   */
  statsServe?: boolean;
  /** numbers of `fields` per segment the served helper writes (default FIELDS_FRAME_BUDGET; tests split smaller) */
  statsFieldsBudget?: number;
}

export class IpvsEngine implements ForwardingEngine {
  readonly kind = "ipvs" as const;
  private managed: Set<string> | null = null;
  private readonly bin: string;
  private readonly now: () => number;
  private helper: string | null;
  private helperProven = false;
  private readonly statsReader = new NetlinkStatsReader();
  /** statsColumns(): the same helper output read into columns (its own token: the agent uses one or the other) */
  private readonly columnsReader = new NetlinkColumnsReader();
  private columnsFromSnapshots: ColumnsFromSnapshots | null = null;
  /** tables (or their service lists) read through the helper: canonical as read */
  private readonly readCanonical = new WeakSet<object>();
  /** false once the helper refused `stats-since` (an older helper): plain `stats` from then on */
  private statsSince: boolean;
  /** statsServed(): the helper kept running, and its answers' reader (null process = start one at the next read) */
  private server: AnswerServer | null = null;
  private readonly servedReader = new ServedFieldsReader();
  /** null until the served helper answered once; false when it never could (an older helper): columns from then on */
  private serveWorks: boolean | null = null;

  constructor(private readonly opts: IpvsEngineOptions) {
    this.bin = opts.ipvsadm ?? "ipvsadm";
    this.now = opts.now ?? Date.now;
    this.helper = opts.helper ?? null;
    this.statsSince = !!opts.statsStateFile;
  }

  /** Runs the helper; null when it is not there or cannot reach IPVS before it ever worked (then ipvsadm for good). */
  private async runHelper(cmd: "dump" | "stats" | "apply" | "stats-since", stdin?: string, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string } | null> {
    return this.helperRun(cmd, stdin, args, (argv, input) => this.opts.exec.run(argv, input));
  }

  /** The same, stdout as bytes (Exec.runBytes when the Exec has it). */
  private helperBytes(cmd: "stats" | "stats-since", args: string[] = []): Promise<BytesResult | null> {
    const exec = this.opts.exec;
    return this.helperRun(cmd, undefined, args, exec.runBytes ? (argv) => exec.runBytes!(argv) : async (argv) => {
      const r = await exec.run(argv);
      return { ...r, stdout: Buffer.from(r.stdout) };
    });
  }

  private async helperRun<T extends string | Uint8Array>(cmd: string, stdin: string | undefined, args: string[], run: (argv: string[], stdin?: string) => Promise<{ code: number; stdout: T; stderr: string }>): Promise<{ code: number; stdout: T; stderr: string } | null> {
    if (!this.helper) return null;
    let r: { code: number; stdout: T; stderr: string };
    try {
      r = await run([this.helper, cmd, ...args], stdin);
    } catch (e) {
      if (this.helperProven) throw e;
      r = { code: 3, stdout: "" as T, stderr: (e as Error).message };
    }
    if (r.code === 3 && !this.helperProven) {
      this.opts.onHelperFallback?.(`${this.helper} ${cmd}: ${r.stderr.trim() || "exit 3"}; using ${this.bin}`);
      this.helper = null;
      return null;
    }
    const out = () => (typeof r.stdout === "string" ? r.stdout : Buffer.from(r.stdout.subarray(0, 400)).toString()).trim();
    if (r.code !== 0 && !((cmd === "apply" || cmd === "stats-since") && (r.code === 1 || r.code === 2))) throw new Error(`${this.helper} ${cmd}: exit ${r.code}: ${r.stderr.trim() || out()}`);
    this.helperProven = true;
    return r;
  }

  /** Which door the engine uses now (for logs and the bench). */
  get door(): "netlink" | "ipvsadm" {
    return this.helper ? "netlink" : "ipvsadm";
  }

  private async run(args: string[], stdin?: string): Promise<string> {
    const r = await this.opts.exec.run([this.bin, ...args], stdin);
    if (r.code !== 0) throw new Error(`${this.bin} ${args.join(" ")}: exit ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout;
  }

  /** The kernel table; with `withTimeouts` also `ipvsadm -L --timeout` (one more exec: only when they are managed). */
  async read(withTimeouts = false): Promise<IpvsTable> {
    const timeouts = withTimeouts ? parseTimeouts(await this.run(["-Ln", "--timeout"])) : null;
    const nl = await this.runHelper("dump");
    if (nl) {
      const t = parseDump(nl.stdout);
      this.readCanonical.add(t.services);
      return timeouts ? { ...t, timeouts } : t;
    }
    const saved = parseRules(await this.run(["-S", "-n"]));
    if (saved.errors.length) throw new Error(`cannot parse ipvsadm -S -n: ${saved.errors.map(formatProblem).join("; ")}`);
    const th = parseThresholds(await this.run(["-Ln", "--thresholds"]));
    const byDest = new Map<string, { u: number; l: number }>();
    for (const s of th.services) {
      for (const d of s.destinations) byDest.set(`${serviceKeyString(s.key)}|${d.address}|${d.port}`, { u: d.upperThreshold, l: d.lowerThreshold });
    }
    return {
      ...(timeouts ? { timeouts } : {}),
      services: saved.table.services.map((s) => ({
        ...s,
        destinations: s.destinations.map((d) => {
          const t = byDest.get(`${serviceKeyString(serviceKeyOf(s))}|${d.address}|${d.port}`);
          return t ? { ...d, upperThreshold: t.u, lowerThreshold: t.l } : d;
        }),
      })),
    };
  }

  async apply(desired: IpvsTable): Promise<ApplyResult> {
    const managed = await this.loadManaged();
    const wanted = new Set(desired.services.map((s) => serviceKeyString(serviceKeyOf(s))));
    const isManaged = (s: IpvsService) => { const k = serviceKeyString(serviceKeyOf(s)); return wanted.has(k) || managed.has(k); };

    const withTimeouts = !!desired.timeouts;
    const actual = await this.read(withTimeouts);
    const notes: EngineNote[] = actual.services.filter((s) => !isManaged(s)).map((s) => ({
      kind: "unmanaged" as const, service: serviceKeyOf(s),
      message: `${describeServiceKey(serviceKeyOf(s))} is in the kernel but not declared for this director; left untouched`,
    }));
    // the desired table canonicalised once for both plans; a table the helper read is canonical already
    // (the kernel's own values: parseDump), so neither plan canonicalises 110 000 real servers again
    const canonicalDesired = canonicalTable(desired);
    const planFrom = (t: IpvsTable) => plan({ ...t, services: t.services.filter(isManaged) }, desired, { canonicalDesired, actualCanonical: this.readCanonical.has(t.services) });
    const ops = planFrom(actual);
    let ran: AppliedOp[] = [];
    let stderr = "";
    // --set is not a table op for the netlink helper: ipvsadm sets the timeouts, the rest goes as one batch
    const tableOps = ops.filter((o) => o.kind !== "set-timeouts");
    for (const o of ops) {
      if (o.kind !== "set-timeouts") continue;
      const r = await this.opts.exec.run([this.bin, ...renderOp(o).split(" ")]);
      if (r.code !== 0) stderr += `${r.stderr.trim() || `ipvsadm --set exit ${r.code}`}\n`;
    }
    if (tableOps.length) {
      const r = (await this.runHelper("apply", opLines(tableOps))) ?? (await this.opts.exec.run([this.bin, "-R"], renderBatch(tableOps)));
      // the helper names each failure "op N: ..." (N from 0, in batch order), as verifyOps pairs them
      const err = r.stderr.replace(/^op \d+: /gm, "");
      stderr += r.code !== 0 && !err.trim() ? `ipvsadm -R exit ${r.code}` : err;
    }
    // nothing ran: the table just read is the current one (a no-op resync costs one read, not two)
    const after = ops.length ? await this.read(withTimeouts) : actual;
    const residual = planFrom(after);
    ran = verifyOps(ops, residual, stderr);

    // still managed: everything desired, plus whatever we failed to delete
    const next = new Set(wanted);
    for (const s of after.services) {
      const k = serviceKeyString(serviceKeyOf(s));
      if (managed.has(k) && !wanted.has(k)) next.add(k);
    }
    await this.saveManaged(next);
    return { ok: residual.length === 0, ops: ran, notes, actual: after };
  }

  /** the helper refused stats-since (exit 2 = usage: a helper older than it): whole stats listings from now on */
  private noStatsSince(stderr: string, code: number): void {
    this.opts.onHelperFallback?.(`${this.helper} stats-since: ${stderr.trim() || `exit ${code}`}; whole stats listings from now on`);
    this.statsSince = false;
  }

  async stats(): Promise<StatsSnapshot> {
    if (this.statsSince && this.helper) {
      const r = await this.runHelper("stats-since", undefined, [this.opts.statsStateFile!, this.statsReader.token ?? "-"]);
      if (r && r.code === 0) return this.statsReader.readSince(r.stdout, this.now());
      if (r) this.noStatsSince(r.stderr, r.code);
    }
    const nl = await this.runHelper("stats");
    if (nl) return this.statsReader.read(nl.stdout, this.now());
    const [ln, st, rt] = await Promise.all([
      this.run(["-Ln"]), this.run(["-Ln", "--stats", "--exact"]), this.run(["-Ln", "--rate", "--exact"]),
    ]);
    return mergeListings(parseList(ln), parseStats(st), parseRate(rt), this.now());
  }

  /** stats() in columns (feature stats.fields): the helper's output read without an object per real server. */
  async statsColumns(): Promise<StatsColumns> {
    if (this.statsSince && this.helper) {
      const r = await this.helperBytes("stats-since", [this.opts.statsStateFile!, this.columnsReader.token ?? "-"]);
      if (r && r.code === 0) return this.columnsReader.readSince(r.stdout, this.now());
      if (r) this.noStatsSince(r.stderr, r.code);
    }
    const nl = await this.helperBytes("stats");
    if (nl) return this.columnsReader.read(nl.stdout, this.now());
    return (this.columnsFromSnapshots ??= new ColumnsFromSnapshots()).update(await this.stats());
  }

  /**
   * stats.fields differences computed by the helper itself (`lvs-ipvs-nl serve`, kept running; see
   * native/statsServe.c): `full` asks every service whole. null when that is not available here (no
   * helper, an Exec that cannot keep a process, an older helper): then statsColumns().
   */
  async statsServed(full: boolean): Promise<ServedFields | null> {
    const exec = this.opts.exec;
    if (!this.helper || !exec.serve || this.opts.statsServe === false || this.serveWorks === false) return null;
    if (!this.server || this.server.closed) {
      this.server = exec.serve([this.helper, "serve"]);
      this.servedReader.token = null;
    }
    const token = full ? "-" : (this.servedReader.token ?? "-");
    let answer: Uint8Array;
    try {
      answer = await this.server.request(`fields ${token} ${this.opts.statsFieldsBudget ?? FIELDS_FRAME_BUDGET}`);
    } catch (e) {
      this.servedReader.token = null;
      if (this.serveWorks === null) {
        this.serveWorks = false;
        this.server.close();
        this.server = null;
        this.opts.onHelperFallback?.(`${(e as Error).message}; stats read with stats-since from now on`);
        return null;
      }
      throw e;
    }
    this.serveWorks = true;
    return this.servedReader.read(answer, this.now());
  }

  async connections(page: ConnectionPage): Promise<ConnectionList> {
    const { entries } = parseConnections(await this.run(["-Lnc"]));
    const match = (f: string | undefined, e: { address: string; port: number }) => !f || formatAddressPort(e.address, e.port).includes(f);
    const all = entries.filter((e) => match(page.client, e.client) && match(page.virtual, e.virtual) && match(page.destination, e.destination));
    return { total: all.length, entries: all.slice(page.offset, page.offset + page.limit) };
  }

  async zero(service: IpvsServiceKey | null): Promise<void> {
    // ipvsadm -Z -t|-u|-f SERVICE: the kernel answers "No such service" (exit 255) for an unknown one
    await this.run(service ? ["-Z", ...serviceOption(service).split(" ")] : ["-Z"]);
  }

  /** Kernel rules stay in place: that is the point of fail-static. The stats helper kept running stops. */
  async close(): Promise<void> {
    this.server?.close();
    this.server = null;
  }

  private async loadManaged(): Promise<Set<string>> {
    if (this.managed) return this.managed;
    this.managed = new Set();
    if (this.opts.managedFile) {
      try {
        const list = JSON.parse(await fs.readFile(this.opts.managedFile, "utf8")) as unknown;
        if (Array.isArray(list)) for (const k of list) if (typeof k === "string") this.managed.add(k);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      }
    }
    return this.managed;
  }

  private async saveManaged(keys: Set<string>): Promise<void> {
    this.managed = keys;
    if (!this.opts.managedFile) return;
    await fs.mkdir(path.dirname(this.opts.managedFile), { recursive: true });
    const tmp = `${this.opts.managedFile}.tmp-${process.pid}`;
    await fs.writeFile(tmp, JSON.stringify([...keys].sort()));
    await fs.rename(tmp, this.opts.managedFile);
  }
}
