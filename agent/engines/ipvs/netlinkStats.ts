/**
 * Stats from `lvs-ipvs-nl stats`, read every second at 10 000 services × 10 real servers without
 * parsing 110 000 lines each time: the output is one block per service (its S line and D lines), and
 * a block whose text is the same as last time gives back last time's ServiceStats object unparsed.
 * An idle service costs one string comparison; only services with traffic (changed counters or
 * rates) are parsed. Pure (the clock comes in as `at`).
 *
 * `readSince` takes `lvs-ipvs-nl stats-since` output instead: the helper compares with its previous
 * output itself and prints only the blocks that changed and "R key" for services gone (a "D token"
 * first line), or everything ("F token"). Then an idle table costs one line; `token` is what to pass
 * next time (null after an error: the next read is a full one).
 */
import type { ServiceStats, StatsSnapshot } from "../../../lvs/model.ts";
import { parseDestinationLine, parseServiceLine } from "./netlinkFormat.ts";

export class NetlinkStatsReader {
  private previous = new Map<string, { text: string; stats: ServiceStats }>();
  /** lines parsed by the last read (complexity guard for tests) */
  parsedLines = 0;
  /** the helper's token of the state `previous` reflects (stats-since); null = ask for a full one */
  token: string | null = null;

  readSince(output: string, at: number): StatsSnapshot {
    const nl = output.indexOf("\n");
    const head = /^([FD]) (\d{1,30})$/.exec(nl < 0 ? output : output.slice(0, nl));
    this.token = null;
    if (!head) throw new Error(`lvs-ipvs-nl stats-since output line 1: ${JSON.stringify(output.slice(0, 80))} is not "F|D token"`);
    const body = nl < 0 ? "" : output.slice(nl + 1);
    let snapshot: StatsSnapshot;
    if (head[1] === "F") {
      snapshot = this.read(body, at, 2);
    } else {
      const removedAt = body.search(/^R /m);
      const changed = removedAt < 0 ? body : body.slice(0, removedAt);
      // updated in place: on an error below the token stays null and the next read is a full one
      const next = this.previous;
      this.parsedLines = 0;
      this.blocks(changed, 2, (key, block, line) => {
        next.set(key, { text: block, stats: parseBlock(block, line) });
        this.parsedLines += countLines(block);
      });
      if (removedAt >= 0) {
        let line = 2 + countLines(changed);
        for (const r of body.slice(removedAt).split("\n")) {
          if (r === "") continue;
          if (!r.startsWith("R ")) throw new Error(`lvs-ipvs-nl stats-since output line ${line}: not a removed-service line: ${JSON.stringify(r.slice(0, 200))}`);
          next.delete(`S ${r.slice(2)}`);
          line++;
        }
      }
      this.previous = next;
      snapshot = { at, services: [...next.values()].map((x) => x.stats) };
    }
    this.token = head[2]!;
    return snapshot;
  }

  read(text: string, at: number, firstLine = 1): StatsSnapshot {
    const next = new Map<string, { text: string; stats: ServiceStats }>();
    const services: ServiceStats[] = [];
    this.parsedLines = 0;
    this.blocks(text, firstLine, (key, block, line) => {
      const before = this.previous.get(key);
      let stats: ServiceStats;
      if (before && before.text === block) {
        stats = before.stats;
      } else {
        stats = parseBlock(block, line);
        this.parsedLines += countLines(block);
      }
      next.set(key, { text: block, stats });
      services.push(stats);
    });
    this.previous = next;
    return { at, services };
  }

  /** Each service block (its S line and D lines) with its key ("S af proto addr port fwmark") and first line number. */
  private blocks(text: string, firstLine: number, each: (key: string, block: string, line: number) => void): void {
    if (text !== "" && !text.startsWith("S ")) throw new Error(`lvs-ipvs-nl stats output line ${firstLine}: not a service line: ${JSON.stringify(text.slice(0, 200))}`);
    let line = firstLine;
    let start = 0;
    while (start < text.length) {
      const nl = text.indexOf("\nS ", start);
      const end = nl < 0 ? text.length : nl + 1;
      const block = text.slice(start, end);
      each(block.slice(0, nthSpace(block, 6)), block, line);
      line += countLines(block);
      start = end;
    }
  }
}

function nthSpace(s: string, n: number): number {
  let i = -1;
  for (let k = 0; k < n; k++) {
    i = s.indexOf(" ", i + 1);
    if (i < 0) return s.indexOf("\n") < 0 ? s.length : s.indexOf("\n");
  }
  return i;
}

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf("\n"); i >= 0; i = s.indexOf("\n", i + 1)) n++;
  return n;
}

function parseBlock(block: string, firstLine: number): ServiceStats {
  const lines = block.split("\n");
  const head = parseServiceLine(lines[0]!, firstLine).stats;
  if (!head) throw new Error(`lvs-ipvs-nl stats output line ${firstLine}: a service line without counters`);
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === "") continue;
    const d = parseDestinationLine(lines[i]!, firstLine + i).stats;
    if (!d) throw new Error(`lvs-ipvs-nl stats output line ${firstLine + i}: a real-server line without counters`);
    head.destinations.push(d);
  }
  return head;
}
