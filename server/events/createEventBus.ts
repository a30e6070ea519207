import type { Database } from "../db/openDatabase.ts";
import type { Logger } from "../log.ts";
import type { EventBus } from "./EventBus.ts";
import { MemoryEventBus } from "./MemoryEventBus.ts";
import { PgEventBus } from "./PgEventBus.ts";

/** PostgreSQL -> LISTEN/NOTIFY bus shared by every instance; PGlite -> in-process bus. */
export function createEventBus(db: Database, log: Logger, opts: { pgChannel?: string } = {}): EventBus {
  if (db.raw.kind === "postgres") {
    return new PgEventBus({ url: db.raw.url, pool: db.raw.pool, log, ...(opts.pgChannel ? { pgChannel: opts.pgChannel } : {}) });
  }
  return new MemoryEventBus(log);
}
