/**
 * Long-lived browser sockets outlive the request that authorised them. SessionWatch re-checks each
 * watched connection's session every `intervalMs` and drops the connection (its raw socket) once the
 * session has ended (sign-out, expiry, disable, role change that loses the action). The browser's
 * reconnect then meets the upgrade check and gets 401/403.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { SessionResolver } from "./session.ts";
import type { Database } from "../db/openDatabase.ts";
import { can, type Action } from "../../lvs/auth/permissions.ts";

export class SessionWatch {
  private readonly watched = new Map<Duplex, IncomingMessage>();
  private readonly timer: NodeJS.Timeout;
  private checking = false;

  constructor(private readonly deps: { db: Database; resolveSession: SessionResolver; action: Action; intervalMs?: number }) {
    this.timer = setInterval(() => void this.check(), deps.intervalMs ?? 60_000);
    this.timer.unref();
  }

  watch(req: IncomingMessage, socket: Duplex): void {
    this.watched.set(socket, req);
    socket.once("close", () => this.watched.delete(socket));
  }

  get size(): number {
    return this.watched.size;
  }

  /** one pass over the watched sockets; returns how many were dropped */
  async check(): Promise<number> {
    if (this.checking) return 0;
    this.checking = true;
    let dropped = 0;
    try {
      for (const [socket, req] of [...this.watched]) {
        const session = await this.deps.resolveSession(req, this.deps.db).catch(() => undefined);
        if (session === undefined) continue; // database trouble: keep the socket, ask again next time
        if (!session || !can(session.role, this.deps.action)) {
          this.watched.delete(socket);
          socket.destroy();
          dropped++;
        }
      }
    } finally {
      this.checking = false;
    }
    return dropped;
  }

  close(): void {
    clearInterval(this.timer);
    this.watched.clear();
  }
}
