import { describe, expect, it } from "vitest";
import en from "../messages/en.json" with { type: "json" };
import zh from "../messages/zh.json" with { type: "json" };

/** Every leaf key path of a message catalogue, e.g. "topologies.create.title". */
function keys(obj: unknown, prefix = ""): string[] {
  if (typeof obj !== "object" || obj === null) return [prefix];
  return Object.entries(obj).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

/** ICU placeholders like {name} or {count, plural, ...} used by one message. */
function placeholders(message: string): string[] {
  return [...message.matchAll(/\{\s*([A-Za-z_][\w]*)\s*[,}]/g)].map((m) => m[1] ?? "").sort();
}

function lookup(obj: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}

describe("message catalogues", () => {
  const enKeys = keys(en).sort();
  const zhKeys = keys(zh).sort();

  it("zh has exactly the keys of en (namespaces stay in step)", () => {
    expect(zhKeys.filter((k) => !enKeys.includes(k))).toEqual([]);
    expect(enKeys.filter((k) => !zhKeys.includes(k))).toEqual([]);
  });

  it("every message is a non-empty string with the same placeholders in both languages", () => {
    for (const k of enKeys) {
      const a = lookup(en, k);
      const b = lookup(zh, k);
      expect(typeof a, k).toBe("string");
      expect(typeof b, k).toBe("string");
      expect((a as string).length, k).toBeGreaterThan(0);
      expect((b as string).length, k).toBeGreaterThan(0);
      expect(placeholders(b as string), k).toEqual(placeholders(a as string));
    }
  });
});
