import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { NO_POSTGRES_REASON, TEST_DATABASE_URL } from "../db/testDatabase.ts";
import { createLogger } from "../log.ts";
import type { EventPayload } from "./channels.ts";
import { EventTooLargeError, type EventBus } from "./EventBus.ts";
import { MemoryEventBus } from "./MemoryEventBus.ts";
import { encodeEvent, PgEventBus } from "./PgEventBus.ts";

const log = createLogger("silent");
const saved = (revision: number): EventPayload<"topology.saved"> => ({ topologyId: "t1", revision, author: null, at: 5 });

function nextEvent<T>(subscribe: (h: (p: T) => void) => () => void, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => (off(), reject(new Error("no event within timeout"))), timeoutMs);
    const off = subscribe((p) => {
      clearTimeout(t);
      off();
      resolve(p);
    });
  });
}

const buses: EventBus[] = [];
afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()));
});

describe("MemoryEventBus", () => {
  it("delivers validated payloads asynchronously; unsubscribe stops delivery; a throwing handler does not stop others", async () => {
    const bus = new MemoryEventBus(log);
    buses.push(bus);
    const got: number[] = [];
    bus.subscribe("topology.saved", () => {
      throw new Error("boom");
    });
    const off = bus.subscribe("topology.saved", (e) => got.push(e.revision));
    await bus.publish("topology.saved", saved(1));
    expect(got).toEqual([]); // not inside the publisher's call stack
    await new Promise((r) => setTimeout(r, 0));
    expect(got).toEqual([1]);
    off();
    await bus.publish("topology.saved", saved(2));
    await new Promise((r) => setTimeout(r, 0));
    expect(got).toEqual([1]);
  });

  it("rejects a payload that does not match the channel schema", async () => {
    const bus = new MemoryEventBus(log);
    buses.push(bus);
    await expect(bus.publish("topology.saved", { topologyId: "", revision: -1 } as never)).rejects.toThrow();
  });
});

describe("event encoding for NOTIFY", () => {
  it("is a small envelope, validated, and refused over the byte limit", () => {
    expect(JSON.parse(encodeEvent("topology.saved", saved(3)))).toEqual({ c: "topology.saved", p: saved(3) });
    expect(() => encodeEvent("topology.saved", { ...saved(1), author: "a".repeat(256) })).toThrow(/255/);
    expect(() => encodeEvent("topology.saved", saved(1), 40)).toThrow(EventTooLargeError);
    expect(() => encodeEvent("topology.saved", saved(1), 40)).toThrow(/bytes; the limit is 40: send ids, not documents/);
  });
});

describe.skipIf(!TEST_DATABASE_URL)(`PgEventBus (LISTEN/NOTIFY)${TEST_DATABASE_URL ? "" : `: skipped, ${NO_POSTGRES_REASON}`}`, () => {
  const url = TEST_DATABASE_URL!;
  const channel = () => `lvs_test_${randomBytes(4).toString("hex")}`;

  it("an event published on one bus reaches subscribers of another", async () => {
    const pgChannel = channel();
    const a = new PgEventBus({ url, log, pgChannel });
    const b = new PgEventBus({ url, log, pgChannel });
    buses.push(a, b);
    await Promise.all([a.ready(), b.ready()]);
    const atB = nextEvent<EventPayload<"health.changed">>((h) => b.subscribe("health.changed", h));
    const atA = nextEvent<EventPayload<"health.changed">>((h) => a.subscribe("health.changed", h));
    const e = { directorId: "d1", serviceKey: "tcp:127.0.10.1:80", rip: "127.0.30.1", port: 80, from: "up", to: "down", at: 9 } as const;
    await a.publish("health.changed", e);
    expect(await atB).toEqual(e);
    expect(await atA).toEqual(e); // the publisher's own instance hears it too
  });

  it("reconnects after losing its connection, fires onResync, and receives again", async () => {
    const pgChannel = channel();
    const a = new PgEventBus({ url, log, pgChannel, minBackoffMs: 20, maxBackoffMs: 100 });
    const b = new PgEventBus({ url, log, pgChannel });
    buses.push(a, b);
    await Promise.all([a.ready(), b.ready()]);
    const resynced = new Promise<void>((r) => a.onResync(r));
    a.simulateConnectionLoss();
    await resynced;
    const got = nextEvent<EventPayload<"topology.saved">>((h) => a.subscribe("topology.saved", h));
    await b.publish("topology.saved", saved(7));
    expect((await got).revision).toBe(7);
  });
});
