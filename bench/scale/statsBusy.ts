/**
 * The agent's stats path with traffic, in this process (the lab's kernel table is idle): the ipvs
 * engine reads `stats-since` output of the fake helper (agent/engines/ipvs/fakeNetlinkHelper.ts) with
 * p % of the services busy — the service and EVERY one of its real servers changing every figure
 * (counters, rates, connection counts) every second — and turns it into the frames the link sends,
 * masked as the ws client frames them. The fake's outputs are made first, then replayed to the
 * agent's code through a real pipe (`cat`) in a child process per path, so neither the fake's work nor
 * the other path's garbage is in the figures (the helper's own CPU is not either: it is another process). Each figure is the median CPU of 3 reads (one read a second = % of a core).
 *
 *  - path "served": engine.statsServed() → StatsFieldsEncoder.forward → JSON (feature stats.fields,
 *    session 5): the REAL lvs-ipvs-nl (built with gcc) kept running in `serve` mode, its "kernel" the
 *    `stats` listing of each second (`--listing`, a file put in place before the read): the helper
 *    diffs and writes the numbers, the agent checks and forwards them. The helper's own CPU (parsing
 *    that text where the real one reads netlink) is reported apart, from /proc.
 *  - path "fields": engine.statsColumns() → StatsFieldsEncoder → JSON (feature stats.fields, session 4)
 *  - path "delta":  engine.stats() → StatsDeltaEncoder → MessageJson (feature stats.delta, before)
 *
 * As a child: node --import tsx bench/scale/statsBusy.ts PATH SERVICES [--profile FILE] → one JSON line.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { genTable } from "../../lvs/testing/bigTable.ts";
import { IpvsEngine } from "../../agent/engines/ipvs/ipvsEngine.ts";
import { FAKE_HELPER, FakeNetlinkHelper } from "../../agent/engines/ipvs/fakeNetlinkHelper.ts";
import { nodeExec, type Exec } from "../../agent/engines/ipvs/exec.ts";
import { MessageJson } from "../../agent/messageJson.ts";
import { StatsDeltaEncoder } from "../../lvs/stats/statsDelta.ts";
import { StatsFieldsEncoder } from "../../lvs/stats/statsFields.ts";
import { statsFieldsJson } from "../../lvs/stats/statsFieldsJson.ts";
import { serviceKeyString } from "../../lvs/tableKey.ts";
import type { AgentMessage } from "../../lvs/protocol/agent.ts";
import { jsonChild } from "./jsonChild.ts";
import { startAnswerServer, type AnswerServer } from "../../agent/engines/ipvs/answerServer.ts";
import { buildIpvsHelper } from "../../agent/engines/ipvs/native/buildHelper.ts";

export const LEVELS = [0, 1, 10, 100] as const;
const READS = Number(process.env.STATS_BUSY_READS ?? 5);
const STATE = "/run/lvs-agent/ipvs-stats";

export interface BusyFigures {
  path: string;
  /** median agent CPU seconds per read, by busy % */
  cpu: Record<number, number>;
  /** bytes of helper output and of frames per read (median read) */
  helperBytes: Record<number, number>;
  frameBytes: Record<number, number>;
  firstRead: number;
  /** at 100 % busy, the median read's CPU by stage (s): read = the engine's reader, encode, json, ws = utf8 + mask */
  stages: Record<string, number>;
  /** path "served": the helper process's own CPU seconds per read (median read; /proc, 10 ms ticks) */
  helperCpu?: Record<number, number>;
}

/**
 * The helper outputs: a full one, then READS per level with p % of the services busy; `listings`: the
 * whole `stats` listing of each of those reads instead (what `serve --listing` reads as its kernel).
 */
export function helperOutputs(n: number, listings = false): string[] {
  const k = new FakeNetlinkHelper();
  const table = genTable(n, 10);
  k.ipvsadm.table = table;
  const outputs: string[] = [];
  let token = "-";
  const read = () => {
    if (listings) {
      outputs.push(k["statsText"]() as string);
      return;
    }
    const out = k["statsSince"](STATE, token) as string;
    token = out.slice(2, out.indexOf("\n"));
    outputs.push(out);
  };
  read();
  let second = 0;
  for (const pct of LEVELS) {
    for (let r = 0; r < READS; r++) {
      second++;
      const step = pct ? Math.round(100 / pct) : 0;
      for (let i = 0; step && i < n; i += step) {
        const s = table.services[i]!;
        const sk = serviceKeyString(s);
        // traffic-sized figures: 12-digit byte counters growing by MBs, rates and connection counts moving
        const t = (j: number) => {
          const b = 4_000_000_000 + i * 1_000_003 + j * 7919;
          return ` ${Math.floor(b / 1000) + second * 37} ${b + second * 4100} ${b + second * 3900} ${b * 100 + second * 1_250_000} ${b * 90 + second * 5_300_000} ${30 + ((second + j) % 9)} ${4100 + second % 13} ${3900 + second % 11} ${1_250_000 + second * 17 % 1000} ${5_300_000 + second * 29 % 1000}`;
        };
        k.counters.set(sk, t(0));
        s.destinations.forEach((d, j) => k.counters.set(`${sk}|${d.address}|${d.port}`, ` ${(second + j) % 40} ${(second * 3 + j) % 200} 0${t(j + 1)}`));
      }
      read();
    }
  }
  return outputs;
}

/** Child: replay the outputs to one path, CPU per read. */
async function measure(pathName: string, n: number, profile: string | null): Promise<BusyFigures> {
  // each answer comes from a real child process, as from the helper: `cat` of the fake's output, run by
  // the agent's own nodeExec (spawn and reading the answer are the agent's CPU; cat's is another process's)
  const served = pathName === "served";
  const outputs = helperOutputs(n, served);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stats-busy-"));
  const files = outputs.map((o, i) => {
    const f = path.join(dir, `out-${i}`);
    fs.writeFileSync(f, o);
    return f;
  });
  const sizes = outputs.map((o) => o.length);
  outputs.length = 0;
  let next = 0;
  const pipe = nodeExec();
  const cat = (argv: readonly string[]) => {
    if (argv[1] !== "stats-since") throw new Error(`unexpected ${argv.join(" ")}`);
    return ["cat", files[next++]!];
  };
  // served: the real helper, its listing put in place (a rename) before each read, outside the measured CPU
  const live = path.join(dir, "listing");
  let server: AnswerServer | null = null;
  let answerBytes = 0;
  const helperBin = served ? buildIpvsHelper(path.join(os.tmpdir(), "lvs-ipvs-nl-bench", "lvs-ipvs-nl")) : "";
  const exec: Exec = {
    run: (argv) => pipe.run(cat(argv)),
    runBytes: (argv) => pipe.runBytes!(cat(argv)),
    ...(served ? {
      serve: () => {
        const s = (server = startAnswerServer([helperBin, "serve", "--listing", live]));
        return { get closed() { return s.closed; }, get pid() { return s.pid; }, close: () => s.close(), request: async (l: string) => { const b = await s.request(l); answerBytes = b.length; return b; } };
      },
    } : {}),
  };
  const engine = new IpvsEngine({ exec, helper: FAKE_HELPER, statsStateFile: STATE });
  const clk = 100; // USER_HZ
  const helperCpu = () => {
    if (!server?.pid) return 0;
    const st = fs.readFileSync(`/proc/${server.pid}/stat`, "utf8");
    const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / clk;
  };
  const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; };
  const fields = new StatsFieldsEncoder();
  const delta = new StatsDeltaEncoder();
  const json = new MessageJson();
  // what the ws client does with a frame: utf8 bytes, masked (no bufferutil installed: ws masks in JS)
  const { Sender } = createRequire(import.meta.url)("ws") as { Sender: { frame(data: Buffer, o: object): Buffer[] } };
  const stage: Record<string, number> = { read: 0, encode: 0, json: 0, ws: 0 };
  const timed = <T>(name: string, f: () => T): T => { const c = cpu(); try { return f(); } finally { stage[name]! += cpu() - c; } };
  // readOnly as ws.send sets it: a string's Buffer is masked in place, a caller's Buffer into a new one
  const masked = (bytes: Buffer, readOnly = false) => Sender.frame(bytes, { fin: true, mask: true, opcode: 1, readOnly, rsv1: false }).reduce((a, b) => a + b.length, 0);
  const frame = (m: AgentMessage) => { const t = timed("json", () => json.text(m)); return timed("ws", () => masked(Buffer.from(t))); };
  const tick = async () => {
    let bytes = 0;
    let c = cpu();
    if (served) {
      const u = await engine.statsServed(fields.fullPending);
      if (!u) throw new Error("the helper did not serve");
      stage.read! += cpu() - c;
      for (const f of timed("encode", () => fields.forward(u))) {
        const b = timed("json", () => statsFieldsJson(f, 1));
        bytes += timed("ws", () => masked(Buffer.from(b.buffer, b.byteOffset, b.length), true));
      }
    } else if (pathName === "fields") {
      const cols = await engine.statsColumns();
      stage.read! += cpu() - c;
      for (const f of timed("encode", () => fields.encode(cols))) {
        const b = timed("json", () => statsFieldsJson(f, 1));
        bytes += timed("ws", () => masked(Buffer.from(b.buffer, b.byteOffset, b.length), true));
      }
    } else {
      const snap = await engine.stats();
      stage.read! += cpu() - c;
      c = cpu();
      for (const f of timed("encode", () => delta.encode(snap))) bytes += frame({ v: 1, type: "stats.delta", ...f });
    }
    return bytes;
  };
  const g = (globalThis as { gc?: () => void }).gc;
  g?.();
  if (served) fs.renameSync(files[next++]!, live);
  let c0 = cpu();
  await tick();
  const firstRead = cpu() - c0;
  let session: import("node:inspector/promises").Session | null = null;
  if (profile) {
    const { Session } = await import("node:inspector/promises");
    session = new Session();
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.start");
  }
  const out: BusyFigures = { path: pathName, cpu: {}, helperBytes: {}, frameBytes: {}, firstRead, stages: {}, ...(served ? { helperCpu: {} } : {}) };
  for (const pct of LEVELS) {
    const per: { c: number; h: number; b: number; s: Record<string, number>; hc: number }[] = [];
    for (let r = 0; r < READS; r++) {
      // served: the bytes of the helper's answer (its listing is the whole table's text)
      let h = sizes[next]!;
      if (served) fs.renameSync(files[next++]!, live);
      for (const k in stage) stage[k] = 0;
      const h0 = helperCpu();
      c0 = cpu();
      const b = await tick();
      const c1 = cpu();
      if (served) h = answerBytes;
      per.push({ c: c1 - c0, h, b, s: { ...stage }, hc: helperCpu() - h0 });
      if (process.env.STATS_BUSY_DEBUG) process.stderr.write(`${pct} % read ${r}: ${((cpu() - c0) * 1000).toFixed(1)} ms ${JSON.stringify(stage)}\n`);
    }
    per.sort((a, b) => a.c - b.c);
    const mid = per[Math.floor(READS / 2)]!;
    out.cpu[pct] = mid.c;
    out.helperBytes[pct] = mid.h;
    out.frameBytes[pct] = mid.b;
    if (out.helperCpu) out.helperCpu[pct] = mid.hc;
    if (pct === 100) out.stages = mid.s;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  await engine.close();
  if (session && profile) {
    const { profile: p } = await session.post("Profiler.stop");
    fs.writeFileSync(profile, JSON.stringify(p));
  }
  return out;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** Runs one path in a child process (fresh heap). */
export function busyChild(pathName: "served" | "fields" | "delta", n: number): Promise<BusyFigures> {
  return jsonChild<BusyFigures>(`statsBusy child (${pathName})`, path.join(here, "statsBusy.ts"), [pathName, String(n)], ["--expose-gc"]);
}

export const pctText = (f: BusyFigures) => LEVELS.map((p) => `${p} % busy ${(f.cpu[p]! * 100).toFixed(1)} %`).join(", ");
export const stageText = (f: BusyFigures) => Object.entries(f.stages).map(([k, v]) => `${k} ${(v * 1000).toFixed(0)} ms`).join(", ");
export const helperText = (f: BusyFigures) => (f.helperCpu ? LEVELS.map((p) => `${p} % ${(f.helperCpu![p]! * 100).toFixed(0)} %`).join(", ") : "");
export const sizeText = (f: BusyFigures) => LEVELS.map((p) => `${p} %: helper ${(f.helperBytes[p]! / 1e6).toFixed(2)} MB, frames ${(f.frameBytes[p]! / 1e6).toFixed(2)} MB`).join("; ");

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [pathName = "fields", nText = "10000"] = process.argv.slice(2);
  const pi = process.argv.indexOf("--profile");
  const f = await measure(pathName, Number(nText), pi > 0 ? process.argv[pi + 1]! : null);
  process.stdout.write(`${JSON.stringify(f)}\n`);
}
