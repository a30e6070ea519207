/**
 * Counts the elementary steps a piece of code takes, for complexity guards that use no clock:
 *  - every property read on the input (a deep Proxy: a plain `for` loop over the input's services
 *    or memberships inside a per-service loop is counted too);
 *  - every callback an Array iteration method makes (find, findIndex, filter, map, some, every,
 *    forEach, reduce, flatMap, sort comparisons), on the input or on anything built from it;
 *  - every Map/Set get/has/set/add/delete.
 * A scan hidden in a per-item loop (the old applyOp's findIndex per rules line, compileDirector's
 * walk over all memberships per service) shows up as n² steps. Plain loops over data the code
 * built itself are not counted: keep those linear by construction.
 * Test-only: it patches global prototypes while the measured function runs, and restores them.
 */
type Patchable = Record<string, unknown>;

const ARRAY_CALLBACK_METHODS = ["find", "findIndex", "findLast", "findLastIndex", "filter", "map", "some", "every", "forEach", "reduce", "flatMap", "sort"] as const;

let active: { steps: number } | null = null;

function patch(): () => void {
  const restore: Array<() => void> = [];
  const wrap = (proto: Patchable, name: string, make: (orig: (...a: unknown[]) => unknown) => (...a: unknown[]) => unknown) => {
    const orig = proto[name] as (...a: unknown[]) => unknown;
    proto[name] = make(orig);
    restore.push(() => {
      proto[name] = orig;
    });
  };
  const arrayProto = Array.prototype as unknown as Patchable;
  for (const name of ARRAY_CALLBACK_METHODS) {
    wrap(arrayProto, name, (orig) => function (this: unknown, cb: unknown, ...rest: unknown[]) {
      if (typeof cb !== "function") return orig.call(this, cb, ...rest);
      const f = cb as (...a: unknown[]) => unknown;
      return orig.call(this, function (this: unknown, ...a: unknown[]) {
        if (active) active.steps++;
        return f.apply(this, a);
      }, ...rest);
    });
  }
  for (const [proto, names] of [[Map.prototype, ["get", "has", "set", "delete"]], [Set.prototype, ["has", "add", "delete"]]] as const) {
    for (const name of names) {
      wrap(proto as unknown as Patchable, name, (orig) => function (this: unknown, ...a: unknown[]) {
        if (active) active.steps++;
        return orig.apply(this, a);
      });
    }
  }
  return () => {
    for (const r of restore.reverse()) r();
  };
}

const proxies = new WeakMap<object, object>();
const targets = new WeakMap<object, object>();

/** The object behind a track() view (for code that must clone its input: structuredClone refuses proxies). */
export function untracked<T>(value: T): T {
  return (typeof value === "object" && value !== null ? (targets.get(value) as T | undefined) : undefined) ?? value;
}

/** A deep read-counting view of `value` (counts only while countWork runs). */
export function track<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  const cached = proxies.get(value);
  if (cached) return cached as T;
  const p = new Proxy(value, {
    get(target, prop, receiver) {
      if (active) active.steps++;
      return track(Reflect.get(target, prop, receiver) as unknown);
    },
  });
  proxies.set(value, p);
  targets.set(p, value);
  return p;
}

export function countWork<T>(fn: () => T): { result: T; steps: number } {
  const counter = { steps: 0 };
  const unpatch = patch();
  const outer = active;
  active = counter;
  try {
    return { result: fn(), steps: counter.steps };
  } finally {
    active = outer;
    unpatch();
  }
}

/**
 * Steps of `run(prepare(n))` and `run(prepare(factor·n))` measured in one process (the input
 * tracked, its preparation not counted), and their ratio. A linear or n·log n algorithm gives a
 * ratio near `factor` (4 → about 4–5); a quadratic one about factor² (16).
 */
export function scalingRatio<I>(prepare: (n: number) => I, run: (input: I) => unknown, n: number, factor = 4): { small: number; large: number; ratio: number } {
  const a = track(prepare(n));
  const small = countWork(() => run(a)).steps;
  const b = track(prepare(n * factor));
  const large = countWork(() => run(b)).steps;
  return { small, large, ratio: large / Math.max(1, small) };
}
