/**
 * Listeners whose VIP is not on this host yet. With VRRP (keepalived) the VIP sits only on the
 * MASTER: a BACKUP director's userspace engine cannot bind VIP:port (EADDRNOTAVAIL) until VRRP moves
 * the address here. Node has no IP_FREEBIND, and the netns-wide `ip_nonlocal_bind` sysctl would
 * change every other program's behaviour, so the engine binds when the address appears: while
 * something waits, the host's addresses (os.networkInterfaces, no subprocess) are checked every
 * `pollMs`, and each waiting bind is retried once its address is local. A socket bound once stays
 * bound when the address leaves again (BACKUP), and accepts again when it comes back.
 */
import os from "node:os";
import { canonicalAddress } from "../../../lvs/address.ts";

/** true when `address` is assigned to an interface of this host (network namespace) now */
export function isLocalAddress(address: string): boolean {
  const want = canonicalAddress(address) ?? address;
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if ((canonicalAddress(a.address) ?? a.address) === want) return true;
  }
  return false;
}

export function isAddressNotAvailable(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | null)?.code === "EADDRNOTAVAIL";
}

interface Waiting {
  address: string;
  /** binds now; resolves true when done (or no longer wanted), false to keep waiting */
  bind: () => Promise<boolean>;
  busy: boolean;
}

export class LateBinds {
  private readonly waiting = new Map<string, Waiting>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly pollMs = 200,
    private readonly isLocal: (address: string) => boolean = isLocalAddress,
  ) {}

  get size(): number {
    return this.waiting.size;
  }

  /** the keys waiting now, in the order they began waiting */
  keys(): string[] {
    return [...this.waiting.keys()];
  }

  has(key: string): boolean {
    return this.waiting.has(key);
  }

  add(key: string, address: string, bind: () => Promise<boolean>): void {
    this.waiting.set(key, { address, bind, busy: false });
    if (!this.timer) {
      this.timer = setInterval(() => this.check(), this.pollMs);
      this.timer.unref();
    }
  }

  delete(key: string): void {
    this.waiting.delete(key);
    if (this.waiting.size === 0) this.stop();
  }

  /** One round: retries every waiting bind whose address is local now. */
  check(): Promise<void> {
    const tries: Promise<void>[] = [];
    for (const [key, w] of this.waiting) {
      if (w.busy || !this.isLocal(w.address)) continue;
      w.busy = true;
      tries.push(w.bind().then(
        (done) => { if (done && this.waiting.get(key) === w) this.delete(key); },
        () => {},
      ).finally(() => { w.busy = false; }));
    }
    return Promise.all(tries).then(() => {});
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  close(): void {
    this.waiting.clear();
    this.stop();
  }
}
