/**
 * The native helpers the single executable carries (agent/packaging/buildAgent.ts embeds them as SEA
 * assets): the netlink helper `lvs-ipvs-nl` and the TCP relay `lvs-tcp-relay`. The one-command
 * install (install.sh) puts only the executable on a director, so without this it would run on
 * ipvsadm alone and the JS relay. A carried helper is written once to a root-only directory under the
 * agent's state dir, named by its content hash, and used when neither a setting (LVS_AGENT_IPVS_HELPER,
 * LVS_AGENT_TCP_RELAY) nor an installed copy (the .deb's /usr/lib/lvs-agent) names one.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as sea from "node:sea";

export const NATIVE_HELPERS = ["lvs-ipvs-nl", "lvs-tcp-relay"] as const;
export type NativeHelper = (typeof NATIVE_HELPERS)[number];

/** What node:sea offers (a fake in tests). */
export interface SeaAssets {
  isSea(): boolean;
  getRawAsset(name: string): string | ArrayBuffer;
}

const nodeSea = (): SeaAssets => sea;

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/**
 * The carried helper `name` as a file in `dir` (written there when missing or different), or null when
 * this is not a single executable or it carries no such helper (built without a C compiler).
 */
export function extractNativeHelper(name: NativeHelper, dir: string, assets: SeaAssets | null = nodeSea()): string | null {
  if (!assets?.isSea()) return null;
  let bytes: Uint8Array;
  try {
    const raw = assets.getRawAsset(name);
    bytes = typeof raw === "string" ? Buffer.from(raw, "latin1") : new Uint8Array(raw);
  } catch {
    return null;
  }
  const hash = sha256(bytes);
  const file = path.join(dir, `${name}-${hash.slice(0, 16)}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // a directory someone else made (a shared temp dir) could swap the file between writing and running it
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || (typeof process.getuid === "function" && st.uid !== process.getuid())) {
    throw new Error(`${dir} is not a directory of this user`);
  }
  fs.chmodSync(dir, 0o700);
  try {
    if (sha256(fs.readFileSync(file)) === hash) return file;
  } catch {
    // not written yet
  }
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bytes, { mode: 0o755 });
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, file); // a concurrent agent or worker never runs half a file
  return file;
}

/** Where a standalone run (no state dir) writes the carried helpers: a directory of this user under the temp dir. */
export function standaloneHelperDir(tmp = os.tmpdir()): string {
  return path.join(tmp, `lvs-agent-native-${typeof process.getuid === "function" ? process.getuid() : "user"}`);
}

/**
 * Points `envName` at the carried helper when nothing else names one: the setting wins, then the
 * installed copy, then the carried one. Set in the environment so the userspace engine's worker
 * processes (clusterEngine.ts) use the same file. Returns the path used, or null.
 */
export function preferCarriedHelper(
  name: NativeHelper,
  o: { envName: string; installed: string; dir: string; env?: Record<string, string | undefined>; exists?: (p: string) => boolean; sea?: SeaAssets | null; warn?: (line: string) => void },
): string | null {
  const env = o.env ?? process.env;
  const exists = o.exists ?? fs.existsSync;
  if (env[o.envName] || exists(o.installed)) return null;
  try {
    const file = extractNativeHelper(name, o.dir, o.sea === undefined ? nodeSea() : o.sea);
    if (file) env[o.envName] = file;
    return file;
  } catch (e) {
    o.warn?.(`${name}: cannot write the carried helper to ${o.dir}: ${(e as Error).message}`);
    return null;
  }
}
