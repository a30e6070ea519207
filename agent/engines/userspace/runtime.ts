/**
 * Live state of one virtual service and its real servers inside the userspace engine.
 * Destinations keep the kernel's list order (newest first) because schedulers' tie-breaks depend on it.
 * A destination removed while connections still use it moves to the service's trash (like the kernel's
 * dest trash) and keeps counting; its counters fold into the service once its last connection is gone.
 */
import type { AddressFamily, Counters, ForwardingMethod, IpvsDestination, IpvsService, IpvsServiceKey, Protocol } from "../../../lvs/model.ts";
import type { ScheduleContext, Scheduler, SchedulerDestination } from "../../../lvs/schedulers/scheduler.ts";
import { foldAddress } from "../../../lvs/schedulers/hash.ts";
import { RateEstimator } from "./estimator.ts";
import type { TemplateTable } from "./persistence.ts";

export class RuntimeDestination implements SchedulerDestination {
  readonly fold: number;
  weight: number;
  lastWeight: number;
  activeConns = 0;
  inactConns = 0;
  persistConns = 0;
  upperThreshold: number;
  lowerThreshold: number;
  overloaded = false;
  available = true;
  method: ForwardingMethod;
  /** where the engine connects: RIP:port for NAT, RIP:VIP-port for DR/TUN (emulated) */
  connectPort: number;
  // counters as plain numbers, added on the hot path
  conns = 0;
  inPkts = 0;
  outPkts = 0;
  inBytes = 0;
  outBytes = 0;
  /** connect failures towards this real server (not an IPVS counter) */
  failures = 0;
  readonly estimator = new RateEstimator();
  /** called when the destination sits in the trash and became idle */
  onIdle: ((d: RuntimeDestination) => void) | null = null;

  constructor(
    readonly family: AddressFamily,
    readonly address: string,
    readonly port: number,
    public config: IpvsDestination,
    servicePort: number,
  ) {
    this.fold = foldAddress(family, address);
    this.weight = config.weight;
    this.lastWeight = config.weight;
    this.upperThreshold = config.upperThreshold;
    this.lowerThreshold = config.lowerThreshold;
    this.method = config.method;
    this.connectPort = config.method === "nat" ? port : servicePort;
  }

  counters(): Counters {
    return { conns: this.conns, inPkts: this.inPkts, outPkts: this.outPkts, inBytes: this.inBytes, outBytes: this.outBytes };
  }

  /** In the trash with no connection and no template left: let the owner retire it. */
  releaseIfIdle(): void {
    if (!this.available && this.activeConns + this.inactConns + this.persistConns === 0) this.onIdle?.(this);
  }
}

export const destKey = (address: string, port: number): string => `${address}|${port}`;

export class RuntimeService {
  /** kernel list order: most recently added first */
  readonly dests: RuntimeDestination[] = [];
  readonly trash = new Map<string, RuntimeDestination>();
  /** counters of destinations that left for good */
  readonly retired: Counters = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
  readonly estimator = new RateEstimator();
  readonly ctx: ScheduleContext<RuntimeDestination>;
  templates: TemplateTable | null = null;
  proxyProtocol = false;
  failures = 0;
  /** false once removed from the desired table; its connections live on */
  active = true;

  constructor(
    readonly key: IpvsServiceKey & { protocol: Protocol; address: string; port: number },
    public config: IpvsService,
    public scheduler: Scheduler<RuntimeDestination>,
    random: () => number,
  ) {
    this.ctx = {
      destinations: this.dests,
      clientAddress: "",
      clientPort: 0,
      clientFold: 0,
      virtualAddress: key.address,
      virtualFold: foldAddress(key.family, key.address),
      now: 0,
      random,
    };
  }

  /** Totals over live, trashed and retired destinations. */
  counters(): Counters {
    const c = { ...this.retired };
    const add = (d: RuntimeDestination): void => {
      c.conns += d.conns;
      c.inPkts += d.inPkts;
      c.outPkts += d.outPkts;
      c.inBytes += d.inBytes;
      c.outBytes += d.outBytes;
    };
    for (const d of this.dests) add(d);
    for (const d of this.trash.values()) add(d);
    return c;
  }

  /**
   * `ipvsadm -Z` on this service (ip_vs_zero_service): the counters of the service and of each of its
   * real servers start again from 0 and the rate estimates are zeroed (ip_vs_zero_estimator).
   */
  zero(): void {
    const clear = (d: RuntimeDestination): void => {
      d.conns = d.inPkts = d.outPkts = d.inBytes = d.outBytes = 0;
      d.estimator.reset(d.counters());
    };
    for (const d of this.dests) clear(d);
    for (const d of this.trash.values()) clear(d);
    this.retired.conns = this.retired.inPkts = this.retired.outPkts = this.retired.inBytes = this.retired.outBytes = 0;
    this.estimator.reset(this.counters());
  }

  retire(d: RuntimeDestination): void {
    const k = destKey(d.address, d.port);
    if (this.trash.get(k) !== d) return;
    this.trash.delete(k);
    this.retired.conns += d.conns;
    this.retired.inPkts += d.inPkts;
    this.retired.outPkts += d.outPkts;
    this.retired.inBytes += d.inBytes;
    this.retired.outBytes += d.outBytes;
  }
}
