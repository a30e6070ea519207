/**
 * Replays what the real kernel's schedulers did (lab/fixtures/scheduler-sequences.json and the held-
 * connection steps of lab/scripts/nat-traffic.sh) through our schedulers (lvs/schedulers/), so the
 * lab's observations cross-check the TypeScript implementations decision by decision.
 */
import { foldAddress } from "../lvs/schedulers/hash.ts";
import { bindConnection, createDestination, updateDestination } from "../lvs/schedulers/destination.ts";
import { schedulers } from "../lvs/schedulers/registry.ts";
import type { ScheduleContext, SchedulerDestination } from "../lvs/schedulers/scheduler.ts";
import type { ListedDestination } from "../lvs/formats/listings/index.ts";

export interface FixtureService {
  scheduler: string;
  /** "-t VIP:PORT" */
  service: string;
  destinationsInAddOrder: { address: string; port: number; weight: number }[];
  kernelListOrder: string[];
  observed: string[];
}

/** The lab's one client and the VIP of nat-traffic.sh. */
export const LAB_CLIENT = "192.168.1.2";
export const LAB_VIP = "192.168.1.1";

function context(list: readonly SchedulerDestination[], now: number, clientPort: number, client = LAB_CLIENT, vip = LAB_VIP): ScheduleContext {
  return {
    destinations: list,
    clientAddress: client,
    clientPort,
    clientFold: foldAddress("inet", client),
    virtualAddress: vip,
    virtualFold: foldAddress("inet", vip),
    now,
    random: () => 0,
  };
}

const text = (d: SchedulerDestination | null): string => (d ? `${d.address}:${d.port}` : "(none)");

/**
 * Our schedulers' choices for a fixture service: destinations added one by one like `ipvsadm -a`
 * (each at the head of the list, with the add_dest hook), then sequential connections that are closed
 * before the next one (each leaves a TIME_WAIT entry: one more inactive connection on its server).
 */
export function replaySequence(f: FixtureService): { listOrder: string[]; picks: string[] } {
  const { s, list } = addOneByOne(f.scheduler, f.destinationsInAddOrder);
  const picks: string[] = [];
  for (let i = 0; i < f.observed.length; i++) {
    const d = s.schedule(context(list, i * 100, 40000 + i));
    picks.push(text(d));
    if (d) bindConnection(d);
  }
  return { listOrder: list.map(text), picks };
}

/** A scheduler whose destinations were added like `ipvsadm -a`, each at the head, with the add_dest hook. */
function addOneByOne(scheduler: string, addOrder: FixtureService["destinationsInAddOrder"]) {
  const s = schedulers.create(scheduler);
  const list: SchedulerDestination[] = [];
  s.init?.({ family: "inet", flags: [] }, list);
  for (const spec of addOrder) {
    const d = createDestination("inet", spec.address, spec.port, { weight: spec.weight, upperThreshold: 0, lowerThreshold: 0 });
    list.unshift(d);
    s.update?.(list, { kind: "add", destination: d, index: 0 });
  }
  return { s, list };
}

/** Our choice of a hashing scheduler (sh, mh, dh) for one client address and VIP, on a fresh service. */
export function pickHashed(scheduler: string, addOrder: FixtureService["destinationsInAddOrder"], client: string, vip: string): string {
  const { s, list } = addOneByOne(scheduler, addOrder);
  return text(s.schedule(context(list, 0, 40000, client, vip)));
}

/**
 * A scheduler fed with the counters the kernel listed just before each decision (`ipvsadm -Ln -t`).
 * One scheduler instance lives across the decisions, so stateful ones (lblc/lblcr: their cache of
 * the VIP's server) carry their state like the kernel's. ipvsadm sorts what it lists, so
 * `kernelOrder` ("ADDR:PORT", newest added first) restores the kernel's list order, which decides
 * ties. `upper` gives -x per server; with connections only ever added, OVERLOAD is set exactly when
 * active + inactive >= -x.
 */
export function listingPicker(
  scheduler: string,
  kernelOrder: readonly string[],
  upper: Record<string, number> = {},
): (listed: readonly ListedDestination[]) => string {
  const list = kernelOrder.map((key) => {
    const [address, port] = [key.slice(0, key.lastIndexOf(":")), Number(key.slice(key.lastIndexOf(":") + 1))];
    return createDestination("inet", address, port, { weight: 1, upperThreshold: upper[key] ?? 0, lowerThreshold: 0 });
  });
  const s = schedulers.create(scheduler);
  let initialised = false;
  let step = 0;
  return (listed) => {
    if (listed.length !== list.length) throw new Error(`listing has ${listed.length} servers, the kernel order ${list.length}`);
    for (const l of listed) {
      const d = list.find((x) => x.address === l.address && x.port === l.port);
      if (!d) throw new Error(`${l.address}:${l.port} is not in the kernel order ${kernelOrder.join(", ")}`);
      d.weight = d.lastWeight = l.weight;
      d.activeConns = l.activeConns;
      d.inactConns = l.inactConns;
      d.overloaded = d.upperThreshold !== 0 && d.activeConns + d.inactConns >= d.upperThreshold;
    }
    if (!initialised) {
      s.init?.({ family: "inet", flags: [] }, list);
      initialised = true;
    }
    step++;
    return text(s.schedule(context(list, step * 1000, 40000 + step)));
  };
}

/**
 * Replays a transcript of nat-traffic.sh phase 5: lines "@ add ADDR W", "@ edit ADDR W", "@ del ADDR"
 * change the service like ipvsadm -a/-e/-d (list head for adds, the add/upd/del hooks like the kernel's
 * add_dest/upd_dest/del_dest), every other line is the real server that answered one request.
 * Returns the transcript with each answer replaced by our scheduler's choice.
 */
export function replayTranscript(scheduler: string, transcript: readonly string[]): string[] {
  const s = schedulers.create(scheduler);
  const list: SchedulerDestination[] = [];
  s.init?.({ family: "inet", flags: [] }, list);
  const find = (addr: string): number => {
    const i = list.findIndex((d) => d.address === addr);
    if (i < 0) throw new Error(`transcript: ${addr} is not in the service`);
    return i;
  };
  let n = 0;
  return transcript.map((line) => {
    const m = /^@ (add|edit|del) (\S+)(?: (\d+))?$/.exec(line);
    if (!m) {
      const d = s.schedule(context(list, n * 100, 40000 + n++));
      if (d) bindConnection(d);
      return text(d);
    }
    const [, op, addr, w] = m as unknown as [string, "add" | "edit" | "del", string, string | undefined];
    const weight = Number(w ?? 0);
    if (op === "add") {
      const d = createDestination("inet", addr, 80, { weight, upperThreshold: 0, lowerThreshold: 0 });
      list.unshift(d);
      s.update?.(list, { kind: "add", destination: d, index: 0 });
    } else if (op === "edit") {
      const i = find(addr);
      updateDestination(list[i]!, { weight, upperThreshold: 0, lowerThreshold: 0 });
      s.update?.(list, { kind: "upd", destination: list[i]!, index: i });
    } else {
      const i = find(addr);
      const [d] = list.splice(i, 1);
      d!.available = false;
      s.update?.(list, { kind: "del", destination: d!, index: i });
    }
    return line;
  });
}
