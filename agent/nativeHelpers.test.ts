import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { extractNativeHelper, preferCarriedHelper, type SeaAssets } from "./nativeHelpers.ts";

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "lvs-native-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  while (dirs.length) fs.rmSync(dirs.pop()!, { recursive: true, force: true });
});

/** a single executable carrying `assets` (name -> bytes) */
const fakeSea = (assets: Record<string, string>, sea = true): SeaAssets & { reads: number } => {
  const s = {
    reads: 0,
    isSea: () => sea,
    getRawAsset(name: string): ArrayBuffer {
      s.reads++;
      const v = assets[name];
      if (v === undefined) throw new Error(`no asset ${name}`);
      return new TextEncoder().encode(v).buffer as ArrayBuffer;
    },
  };
  return s;
};
const short = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

describe("extractNativeHelper", () => {
  it("writes the carried helper once, executable, in a root-only directory named by its content", () => {
    const dir = path.join(tmp(), "native");
    const sea = fakeSea({ "lvs-tcp-relay": "#!/bin/sh\necho relay\n" });
    const file = extractNativeHelper("lvs-tcp-relay", dir, sea)!;
    expect(file).toBe(path.join(dir, `lvs-tcp-relay-${short("#!/bin/sh\necho relay\n")}`));
    expect(fs.readFileSync(file, "utf8")).toBe("#!/bin/sh\necho relay\n");
    expect(fs.statSync(file).mode & 0o777).toBe(0o755);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const mtime = fs.statSync(file).mtimeMs;
    expect(extractNativeHelper("lvs-tcp-relay", dir, sea)).toBe(file); // current: not rewritten
    expect(fs.statSync(file).mtimeMs).toBe(mtime);
    expect(fs.readdirSync(dir)).toEqual([path.basename(file)]); // no temp files left
  });

  it("rewrites a file whose content is not the carried helper's (a damaged or altered copy)", () => {
    const dir = tmp();
    const sea = fakeSea({ "lvs-ipvs-nl": "good" });
    const file = extractNativeHelper("lvs-ipvs-nl", dir, sea)!;
    fs.writeFileSync(file, "tampered");
    expect(extractNativeHelper("lvs-ipvs-nl", dir, sea)).toBe(file);
    expect(fs.readFileSync(file, "utf8")).toBe("good");
  });

  it("null when not a single executable, or when it carries no such helper (built without a C compiler)", () => {
    const dir = tmp();
    expect(extractNativeHelper("lvs-tcp-relay", dir, fakeSea({ "lvs-tcp-relay": "x" }, false))).toBeNull();
    expect(extractNativeHelper("lvs-tcp-relay", dir, fakeSea({}))).toBeNull();
    expect(extractNativeHelper("lvs-tcp-relay", dir, null)).toBeNull();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("refuses a directory that is a symlink (someone else's place in a shared temp dir)", () => {
    const base = tmp();
    const elsewhere = path.join(base, "elsewhere");
    fs.mkdirSync(elsewhere);
    fs.symlinkSync(elsewhere, path.join(base, "native"));
    expect(() => extractNativeHelper("lvs-tcp-relay", path.join(base, "native"), fakeSea({ "lvs-tcp-relay": "x" }))).toThrow(/not a directory of this user/);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });
});

describe("preferCarriedHelper", () => {
  const o = (dir: string, env: Record<string, string | undefined>, installed = false, sea = fakeSea({ "lvs-tcp-relay": "relay" })) => ({
    envName: "LVS_AGENT_TCP_RELAY", installed: "/usr/lib/lvs-agent/lvs-tcp-relay", dir, env, exists: () => installed, sea,
  });

  it("points the setting at the carried helper when neither a setting nor an installed copy names one", () => {
    const dir = tmp();
    const env: Record<string, string | undefined> = {};
    const file = preferCarriedHelper("lvs-tcp-relay", o(dir, env));
    expect(file).toBe(path.join(dir, `lvs-tcp-relay-${short("relay")}`));
    expect(env.LVS_AGENT_TCP_RELAY).toBe(file);
  });

  it("a setting (a path or none) and an installed copy win: nothing is written", () => {
    const dir = tmp();
    for (const [env, installed] of [[{ LVS_AGENT_TCP_RELAY: "none" }, false], [{ LVS_AGENT_TCP_RELAY: "/opt/relay" }, false], [{}, true]] as const) {
      const e: Record<string, string | undefined> = { ...env };
      const sea = fakeSea({ "lvs-tcp-relay": "relay" });
      expect(preferCarriedHelper("lvs-tcp-relay", o(dir, e, installed, sea))).toBeNull();
      expect(e).toEqual(env);
      expect(sea.reads).toBe(0);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("a directory it cannot write is a warning, not a failure: the agent goes on without the helper", () => {
    const base = tmp();
    fs.writeFileSync(path.join(base, "file"), "");
    const warned: string[] = [];
    const env: Record<string, string | undefined> = {};
    expect(preferCarriedHelper("lvs-tcp-relay", { ...o(path.join(base, "file", "native"), env), warn: (l) => warned.push(l) })).toBeNull();
    expect(env).toEqual({});
    expect(warned.join("\n")).toMatch(/lvs-tcp-relay: cannot write the carried helper to .*file\/native/);
  });
});
