import { describe, expect, it } from "vitest";
import en from "../messages/en.json" with { type: "json" };
import zh from "../messages/zh.json" with { type: "json" };
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";

/** Every leaf key path of a message catalogue, e.g. "topologies.create.title". */
function keys(obj: unknown, prefix = ""): string[] {
  if (typeof obj !== "object" || obj === null) return [prefix];
  return Object.entries(obj).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

/** ICU arguments ({name}, {count, plural, ...}, {kind, select, ...}) used by one message, nested ones included. */
function placeholders(message: string): string[] {
  const names = new Set<string>();
  const walk = (nodes: MessageFormatElement[]) => {
    for (const n of nodes) {
      if ("value" in n && typeof n.value === "string" && n.type !== TYPE.literal) names.add(n.value);
      if ("options" in n) for (const o of Object.values(n.options)) walk((o as { value: MessageFormatElement[] }).value);
      if ("children" in n) walk(n.children as MessageFormatElement[]);
    }
  };
  walk(parse(message));
  return [...names].sort();
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
