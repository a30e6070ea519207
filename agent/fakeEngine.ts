/**
 * An in-memory ForwardingEngine for unit tests (Seesaw's dummy NCC): keeps a table, records every
 * apply, can be told to fail operations, and reports stats/connections it is given.
 */
import type { AppliedOp, ApplyResult, ConnectionList, ConnectionPage, ForwardingEngine } from "./engine.ts";
import type { ConnectionEntry, IpvsServiceKey, IpvsTable, StatsSnapshot } from "../lvs/model.ts";
import { agentServiceKeyText, serviceKeyOf } from "../lvs/tableKey.ts";

export class FakeEngine implements ForwardingEngine {
  readonly kind = "fake" as const;
  table: IpvsTable = { services: [] };
  applied: IpvsTable[] = [];
  /** services (by agentServiceKeyText) whose apply fails */
  failing = new Set<string>();
  connectionEntries: ConnectionEntry[] = [];
  /** every zero() call: a service key text, or "" for all */
  zeroed: string[] = [];
  closed = false;

  constructor(private readonly now: () => number = () => 0) {}

  async apply(desired: IpvsTable): Promise<ApplyResult> {
    this.applied.push(structuredClone(desired));
    const ops: AppliedOp[] = [];
    const next: IpvsTable = { services: [] };
    const before = new Map(this.table.services.map((s) => [agentServiceKeyText(serviceKeyOf(s)), s]));
    for (const s of desired.services) {
      const k = agentServiceKeyText(serviceKeyOf(s));
      if (this.failing.has(k)) {
        ops.push({ op: `set ${k}`, ok: false, error: "injected failure" });
        const old = before.get(k);
        if (old) next.services.push(old);
        continue;
      }
      if (JSON.stringify(before.get(k)) !== JSON.stringify(s)) ops.push({ op: `set ${k}`, ok: true });
      next.services.push(structuredClone(s));
    }
    const wanted = new Set(desired.services.map((s) => agentServiceKeyText(serviceKeyOf(s))));
    for (const k of before.keys()) if (!wanted.has(k)) ops.push({ op: `delete ${k}`, ok: true });
    if (desired.timeouts) {
      const t = desired.timeouts;
      const cur = this.table.timeouts ?? { tcp: 900, tcpfin: 120, udp: 300 };
      next.timeouts = { tcp: t.tcp || cur.tcp, tcpfin: t.tcpfin || cur.tcpfin, udp: t.udp || cur.udp };
      if (JSON.stringify(next.timeouts) !== JSON.stringify(cur)) ops.push({ op: `--set ${t.tcp} ${t.tcpfin} ${t.udp}`, ok: true });
    } else if (this.table.timeouts) next.timeouts = this.table.timeouts;
    this.table = next;
    return { ok: ops.every((o) => o.ok), ops, notes: [] };
  }

  async read(): Promise<IpvsTable> {
    return structuredClone(this.table);
  }

  async zero(service: IpvsServiceKey | null): Promise<void> {
    if (service && !this.table.services.some((s) => agentServiceKeyText(serviceKeyOf(s)) === agentServiceKeyText(service))) throw new Error("No such service");
    this.zeroed.push(service ? agentServiceKeyText(service) : "");
  }

  async stats(): Promise<StatsSnapshot> {
    const zero = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
    const rates = { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };
    return {
      at: this.now(),
      services: this.table.services.map((s) => ({
        key: serviceKeyOf(s), counters: { ...zero }, rates: { ...rates },
        destinations: s.destinations.map((d) => ({
          address: d.address, port: d.port, weight: d.weight, activeConns: 0, inactConns: 0, persistConns: 0,
          counters: { ...zero }, rates: { ...rates },
        })),
      })),
    };
  }

  async connections(page: ConnectionPage): Promise<ConnectionList> {
    return { total: this.connectionEntries.length, entries: this.connectionEntries.slice(page.offset, page.offset + page.limit) };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
