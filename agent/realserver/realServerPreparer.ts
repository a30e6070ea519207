/**
 * The real-server role's reconciler: desired host settings in → only the failing ones changed →
 * what it changed recorded (with the value it replaced) → checks out. Idempotent (a second run with
 * the same settings changes nothing) and reversible (a setting no membership needs any more is
 * undone if the agent made it: its address removed, the sysctl's original value restored, the FOU
 * port removed, the tunnel interface set down again, the default route put back). It never touches
 * what it did not set. Modules it loaded stay loaded (unloading can break other users; a loaded
 * module without addresses on its interface changes no traffic). Changes are serialised.
 */
import type { AgentLog } from "../log.ts";
import type { HostCheck, HostObservation } from "../../lvs/realServer/hostChecks.ts";
import { checkHost, observationKeys } from "../../lvs/realServer/hostChecks.ts";
import type { HostSetting, HostSettingEntry, RealServerHostDesired } from "../../lvs/realServer/hostSettings.ts";
import { withRipInterfaces } from "../../lvs/realServer/hostSettings.ts";
import { sameAddress } from "../../lvs/validate/net.ts";
import type { RealServerSystem } from "./realServerSystem.ts";
import type { OwnedChange, RealServerState, RealServerStateStore } from "./realServerState.ts";

export interface PrepareReport {
  revision: number | null;
  at: number;
  checks: HostCheck[];
  /** what this run changed, in order (`addr add …`, `sysctl k=v (was o)`, …) */
  changes: string[];
  errors: string[];
  notes: string[];
}

const APPLY_ORDER: HostSetting["kind"][] = ["module", "link", "fou", "address", "sysctl", "route"];
const EMPTY: RealServerHostDesired = { rips: [], settings: [], notes: [] };

export class RealServerPreparer {
  private state: RealServerState = { v: 1, revision: null, desired: null, owned: [] };
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: { system: RealServerSystem; store: RealServerStateStore; log: AgentLog; clock: { now(): number } }) {}

  /** Fail-static: put back the last desired settings before anything else (no network needed). */
  async start(): Promise<PrepareReport | null> {
    const saved = await this.load();
    if (!saved?.desired) return null;
    this.o.log.info(`real server: restoring the settings of revision ${saved.revision ?? "?"} (fail-static)`);
    return this.apply(saved.desired, saved.revision);
  }

  /** Read what the agent owns from the state file, changing nothing. */
  async load(): Promise<RealServerState | null> {
    const saved = await this.o.store.load();
    if (saved) this.state = saved;
    return saved;
  }

  get revision(): number | null {
    return this.state.revision;
  }

  get desired(): RealServerHostDesired | null {
    return this.state.desired;
  }

  apply(desired: RealServerHostDesired, revision: number | null): Promise<PrepareReport> {
    return this.serial(() => this.reconcile(desired, revision));
  }

  /** Undo everything the agent set (the host as it was, except modules). */
  undo(): Promise<PrepareReport> {
    return this.serial(() => this.reconcile(EMPTY, null));
  }

  /** Observe and check `desired` (default: the last applied settings) without changing anything. */
  verify(desired?: RealServerHostDesired): Promise<PrepareReport> {
    return this.serial(async () => {
      const d = desired ?? this.state.desired ?? EMPTY;
      const { settings, obs } = await this.look(d);
      return this.report(settings, obs, [], [], d.notes);
    });
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async look(desired: RealServerHostDesired): Promise<{ settings: HostSettingEntry[]; obs: HostObservation }> {
    const keys = new Set(observationKeys(desired.settings));
    for (const c of this.state.owned) if (c.kind === "sysctl") keys.add(c.key);
    let obs = await this.o.system.observe([...keys]);
    const settings = withRipInterfaces(desired.settings, desired.rips, obs.addresses);
    const more = observationKeys(settings).filter((k) => !keys.has(k));
    if (more.length) obs = await this.o.system.observe([...keys, ...more]);
    return { settings, obs };
  }

  private report(settings: HostSettingEntry[], obs: HostObservation, changes: string[], errors: string[], notes: string[]): PrepareReport {
    return { revision: this.state.revision, at: this.o.clock.now(), checks: checkHost(settings, obs), changes, errors, notes };
  }

  private async reconcile(desired: RealServerHostDesired, revision: number | null): Promise<PrepareReport> {
    const changes: string[] = [];
    const errors: string[] = [];
    const sys = this.o.system;
    const attempt = async (what: string, f: () => Promise<void>): Promise<boolean> => {
      try {
        await f();
        changes.push(what);
        return true;
      } catch (e) {
        errors.push(`${what}: ${(e as Error).message}`);
        this.o.log.warn(`real server: ${what}: ${(e as Error).message}`);
        return false;
      }
    };

    let { settings, obs } = await this.look(desired);
    const wanted = new Set(settings.map((s) => s.id));

    // 1. undo what the agent owns and nothing needs any more (addresses first, links last)
    const stale = this.state.owned.filter((c) => !wanted.has(c.id));
    const undoOrder: OwnedChange["kind"][] = ["address", "sysctl", "fou", "route", "link", "module"];
    const keep: OwnedChange[] = this.state.owned.filter((c) => wanted.has(c.id));
    for (const kind of undoOrder) {
      for (const c of stale.filter((x) => x.kind === kind)) {
        if (c.kind === "address") {
          if (obs.addresses.some((a) => a.iface === c.iface && sameAddress(a.address, c.address)))
            await attempt(`addr del ${c.address}/${c.prefix} dev ${c.iface}`, () => sys.delAddress(c.iface, c.address, c.prefix, c.family));
        } else if (c.kind === "sysctl") {
          // restore only if nobody changed it since (then it is theirs)
          if (obs.sysctls[c.key] === c.value) await attempt(`sysctl ${c.key}=${c.original} (restored)`, () => sys.writeSysctl(c.key, c.original));
        } else if (c.kind === "fou") {
          if (obs.fou.some((f) => f.port === c.port && f.family === c.family)) await attempt(`fou del port ${c.port}`, () => sys.delFou(c.port, c.family));
        } else if (c.kind === "route") {
          const now = obs.defaultRoutes[c.family];
          if (c.original[0] && now.length === 1 && sameAddress(now[0]!, c.via))
            await attempt(`route replace default via ${c.original[0]} (restored)`, () => sys.setDefaultRoute(c.family, c.original[0]!));
        } else if (c.kind === "link") {
          obs = await sys.observe([]);
          if (!obs.addresses.some((a) => a.iface === c.iface) && obs.links[c.iface]?.up)
            await attempt(`link set ${c.iface} down`, () => sys.setLink(c.iface, false));
        }
        // modules stay loaded (see the header)
      }
    }
    if (stale.length) ({ settings, obs } = await this.look(desired));

    // 2. apply what fails its check, in dependency order
    const owned = (id: string) => keep.some((c) => c.id === id);
    for (const kind of APPLY_ORDER) {
      for (const e of settings.filter((x) => x.setting.kind === kind)) {
        const [c] = checkHost([e], obs);
        if (c!.ok) continue;
        const s = e.setting;
        if (s.kind === "module") {
          if (await attempt(`modprobe ${s.name}`, () => sys.loadModule(s.name))) {
            if (!owned(e.id)) keep.push({ kind: "module", id: e.id, name: s.name });
            ({ obs } = await this.look(desired));
          }
        } else if (s.kind === "link") {
          if (!obs.links[s.iface]) { errors.push(`link ${s.iface}: absent (its module did not create it)`); continue; }
          if (await attempt(`link set ${s.iface} up`, () => sys.setLink(s.iface, true)) && !owned(e.id)) keep.push({ kind: "link", id: e.id, iface: s.iface });
        } else if (s.kind === "fou") {
          if (await attempt(`fou add port ${s.port} gue`, () => sys.addFou(s.port, s.family)) && !owned(e.id)) keep.push({ kind: "fou", id: e.id, port: s.port, family: s.family });
        } else if (s.kind === "address") {
          if (s.iface === "*") continue; // verify only (director prerequisites)
          if (obs.addresses.some((a) => a.iface === s.iface && sameAddress(a.address, s.address))) {
            errors.push(`${s.address} on ${s.iface} has another prefix than /${s.prefix}; left as it is (not set by the agent)`);
            continue;
          }
          if (await attempt(`addr add ${s.address}/${s.prefix} dev ${s.iface}`, () => sys.addAddress(s.iface, s.address, s.prefix, s.family)) && !owned(e.id))
            keep.push({ kind: "address", id: e.id, iface: s.iface, address: s.address, prefix: s.prefix, family: s.family });
        } else if (s.kind === "sysctl") {
          const original = obs.sysctls[s.key];
          if (original == null) { errors.push(`sysctl ${s.key}: absent`); continue; }
          if (await attempt(`sysctl ${s.key}=${s.value} (was ${original})`, () => sys.writeSysctl(s.key, s.value))) {
            const prev = keep.find((x) => x.id === e.id);
            if (prev && prev.kind === "sysctl") prev.value = s.value;
            else keep.push({ kind: "sysctl", id: e.id, key: s.key, value: s.value, original });
          }
        } else if (s.kind === "route") {
          if (!s.manage || !s.via[0]) continue; // verify only unless the operator asked
          const original = obs.defaultRoutes[s.family].filter((g) => g !== "");
          const via = s.via[0];
          if (await attempt(`route replace default via ${via} (was ${original.join(", ") || "none"})`, () => sys.setDefaultRoute(s.family, via)) && !owned(e.id))
            keep.push({ kind: "route", id: e.id, family: s.family, via, original });
        }
      }
    }
    obs = (await this.look(desired)).obs;
    this.state = { v: 1, revision, desired: desired.settings.length || desired.rips.length ? desired : null, owned: keep };
    await this.o.store.save(this.state);
    for (const c of changes) this.o.log.info(`real server: ${c}`);
    return this.report(settings, obs, changes, errors, desired.notes);
  }
}
