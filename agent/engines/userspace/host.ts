/** What the TCP/UDP forwarders need from the engine. */
import type { ConnectionTable } from "./connectionTable.ts";
import type { Template } from "./persistence.ts";
import type { RuntimeDestination, RuntimeService } from "./runtime.ts";
import type { TcpRelay } from "./tcpRelay.ts";

export interface Picked {
  dest: RuntimeDestination;
  template: Template | null;
}

export interface ForwarderHost {
  readonly table: ConnectionTable;
  /** the engine's clock, ms */
  now(): number;
  /**
   * Persistence + scheduling for a new connection; on success the connection is already counted
   * (conns) and bound to the destination (inactive), and the template, if any, controls it.
   */
  pick(svc: RuntimeService, clientAddress: string, clientPort: number): Picked | null;
  /** like pick, for one-packet scheduling: counted, but never bound (the kernel frees it at once) */
  pickOnePacket(svc: RuntimeService, clientAddress: string, clientPort: number): Picked | null;
  /** the native data path for established TCP connections (null/absent: the JS relay carries them) */
  readonly tcpRelay?: TcpRelay | null;
  /** client reads after which a TCP connection is handed to tcpRelay (default 2) */
  readonly relayAfterReads?: number;
}
