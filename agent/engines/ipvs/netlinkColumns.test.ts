import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { genTable } from "../../../lvs/testing/bigTable.ts";
import { serviceKeyString } from "../../../lvs/tableKey.ts";
import type { IpvsService, IpvsTable, StatsSnapshot } from "../../../lvs/model.ts";
import { serviceStatsOf, type StatsColumns } from "../../../lvs/stats/statsColumns.ts";
import { IpvsEngine } from "./ipvsEngine.ts";
import { FAKE_HELPER, FakeNetlinkHelper } from "./fakeNetlinkHelper.ts";
import { NetlinkColumnsReader } from "./netlinkColumns.ts";
import { StatsFieldsEncoder, fieldsBody } from "../../../lvs/stats/statsFields.ts";

const STATE = "/run/lvs-ipvs-nl.stats";
const byKey = (s: StatsSnapshot) => new Map(s.services.map((x) => [serviceKeyString(x.key), x]));
const snapshotOf = (c: StatsColumns): StatsSnapshot => ({ at: c.at, services: c.slots.flatMap((s) => (s ? [serviceStatsOf(s)] : [])) });
const BIG = 2 ** 53 - 1;
const count = fc.oneof(fc.nat({ max: 5_000_000 }), fc.integer({ min: 10 ** 14, max: BIG }), fc.constant(0));
const ten = fc.array(count, { minLength: 10, maxLength: 10 }).map((a) => ` ${a.join(" ")}`);

describe("NetlinkColumnsReader: stats-since output into columns", () => {
  it("the same figures as a whole stats listing, read after read, as figures change, services come and go and real servers change (property; IPv6, fwmark)", async () => {
    const base = genTable(30, 4);
    expect(base.services.some((s) => s.protocol === "fwmark") && base.services.some((s) => s.family === "inet6")).toBe(true);
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({
        figures: fc.array(fc.tuple(fc.nat({ max: 29 }), fc.integer({ min: -1, max: 3 }), ten), { maxLength: 20 }),
        present: fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
        reshape: fc.array(fc.tuple(fc.nat({ max: 29 }), fc.nat({ max: 31 })), { maxLength: 3 }),
      }), { minLength: 1, maxLength: 6 }),
      async (steps) => {
        const k = new FakeNetlinkHelper();
        const e = new IpvsEngine({ exec: k, helper: FAKE_HELPER, statsStateFile: STATE, now: () => 7 });
        const plain = new IpvsEngine({ exec: k, helper: FAKE_HELPER, now: () => 7 });
        const shapes = new Array<number>(30).fill(0);
        for (const step of steps) {
          for (const [i, j, t] of step.figures) {
            const s = base.services[i]!;
            const d = s.destinations[j];
            k.counters.set(j < 0 || !d ? serviceKeyString(s) : `${serviceKeyString(s)}|${d.address}|${d.port}`, t);
          }
          for (const [i, sh] of step.reshape) shapes[i] = sh;
          const table: IpvsTable = {
            services: base.services.filter((_, i) => step.present[i]).map((s) => {
              const i = base.services.indexOf(s);
              return { ...s, destinations: s.destinations.filter((_, j) => ((shapes[i]! >> j) & 1) === 0).map((d) => ({ ...d, weight: d.weight + (shapes[i]! >> 4) })) };
            }),
          };
          k.ipvsadm.table = table;
          const cols = await e.statsColumns();
          expect(byKey(snapshotOf(cols))).toEqual(byKey(await plain.stats()));
        }
      },
    ), { numRuns: 60 });
  });

  it("an idle read takes in no line; a busy one only the changed services' lines; slots and slot objects stay (operation count, 1 000 services)", async () => {
    const k = new FakeNetlinkHelper();
    const e = new IpvsEngine({ exec: k, helper: FAKE_HELPER, statsStateFile: STATE });
    const table = genTable(1000, 10);
    await e.apply(table);
    const first = await e.statsColumns();
    const reader = e["columnsReader"] as NetlinkColumnsReader;
    expect(reader.linesRead).toBe(11_000);
    expect(reader.reshaped).toBe(1000);
    const enc = new StatsFieldsEncoder();
    expect(enc.encode(first)[0]!.services).toHaveLength(1000);
    const slots = first.slots.slice();
    const idle = await e.statsColumns();
    expect(reader.linesRead).toBe(0);
    expect(idle.changed?.size).toBe(0);
    expect(fieldsBody(enc.encode(idle)[0]!).fields).toEqual([]);
    k.counters.set(serviceKeyString(table.services[3]!), " 1 2 3 4 5 6 7 8 9 10");
    const busy = await e.statsColumns();
    expect([reader.linesRead, reader.reshaped]).toEqual([11, 0]);
    // the encoder looks at that one slot only and sends its changed figures
    const slot3 = busy.slots.findIndex((x) => x && serviceKeyString(x.key) === serviceKeyString(table.services[3]!));
    expect([...busy.changed!]).toEqual([slot3]);
    expect(fieldsBody(enc.encode(busy)[0]!).fields).toEqual([slot3, 0, 0b1111111111000, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(busy.slots).toEqual(slots);
    expect(busy.slots.every((s, i) => s === slots[i])).toBe(true);
    // a service gone and a new one: its slot freed, the new one in a slot of its own
    const goneSlot = busy.slots.findIndex((s) => s && serviceKeyString(s.key) === serviceKeyString(table.services[10]!));
    k.ipvsadm.table = { services: [...k.ipvsadm.table.services.filter((s) => serviceKeyString(s) !== serviceKeyString(table.services[10]!)), { ...table.services[10]!, port: 1 } as IpvsService] };
    const after = await e.statsColumns();
    expect(reader.reshaped).toBe(1);
    expect(after.slots[goneSlot]).toBeNull();
    expect(after.slots.filter((s) => s?.key.protocol !== "fwmark" && s?.key.port === 1)).toHaveLength(1);
    expect(after.slots.filter(Boolean)).toHaveLength(1000);
  });

  it("figures that are not counts: an error naming the line, and the next read is a full one", () => {
    const r = new NetlinkColumnsReader();
    const good = "S 2 6 10.0.0.1 80 0 wlc - 0 0 255.255.255.255 1 2 3 4 5 6 7 8 9 10\nD 2 10.0.1.1 80 0 1 0 0 0 0 0 0 0 0 1 2 3 4 5 6 7 8 9 10\n";
    r.readSince(`F 5\n${good}`, 1);
    expect(r.token).toBe("5");
    for (const bad of ["-1", "1.5", String(2 ** 53), "x"]) {
      expect(() => r.readSince(`D 6\n${good.replace(" 3 4 5 6 7 8 9 10\n", ` 3 4 5 6 7 8 9 ${bad}\n`)}`, 2)).toThrow(/output line 2: /);
      expect(r.token).toBeNull();
    }
    expect(() => r.readSince(`D 7\nD 2 10.0.1.1 80 0 1 0 0 0 0 0 0 0 0 1 2 3 4 5 6 7 8 9 10\n`, 3)).toThrow(/line 2: not a service line/);
    expect(() => r.readSince(`X 7\n`, 3)).toThrow(/line 1/);
    // a good full read heals everything
    const cols = r.readSince(`F 8\n${good.replace("1 2 3 4 5 6 7 8 9 10\nD", "1 2 3 4 5 6 7 8 9 11\nD")}`, 4);
    expect(serviceStatsOf(cols.slots[0]!).rates.outBps).toBe(11);
    expect(serviceStatsOf(cols.slots[0]!).destinations[0]!.rates.outBps).toBe(10);
  });

  it("keeps its own copy of each line's fields: the bytes of a read are reused by the next (nodeExec.runBytes), a weight changed in place is still seen", () => {
    const r = new NetlinkColumnsReader();
    const line = (w: number, c: number) => `S 2 6 10.0.0.1 80 0 wlc - 0 0 255.255.255.255 ${c} 2 3 4 5 6 7 8 9 10\nD 2 10.0.1.1 80 0 ${w} 0 0 0 0 0 0 0 0 ${c} 2 3 4 5 6 7 8 9 10\n`;
    const buf = Buffer.alloc(4096);
    const put = (t: string) => buf.subarray(0, buf.write(t, "latin1"));
    r.readSince(put(`F 5\n${line(1, 1)}`), 1);
    const cols = r.readSince(put(`D 5\n${line(2, 7)}`), 2);
    expect(r.reshaped).toBe(1);
    expect(serviceStatsOf(cols.slots[0]!).destinations[0]).toMatchObject({ weight: 2, activeConns: 0, counters: { conns: 7 } });
  });
});
