/**
 * What the real-server role itself changed on the host, kept in `realserver.json` in the state dir
 * (written atomically): the last desired settings (restored at start, before the link is up:
 * fail-static) and every change it owns with the value it replaced, so an undo restores exactly
 * that and nothing the agent did not set is ever touched.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

const family = z.enum(["inet", "inet6"]);
const iface = z.string().min(1).max(64);
const settingSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("module"), name: z.string().min(1).max(64) }),
  z.object({ kind: z.literal("link"), iface }),
  z.object({ kind: z.literal("address"), iface, address: z.string().max(64), prefix: z.number().int().min(0).max(128), family }),
  z.object({ kind: z.literal("sysctl"), key: z.string().max(256), value: z.string().max(64) }),
  z.object({ kind: z.literal("fou"), port: z.number().int().min(1).max(65535), family }),
  z.object({ kind: z.literal("route"), family, via: z.array(z.string().max(64)).max(64), manage: z.boolean() }),
]);
export const hostSettingEntrySchema = z.object({ id: z.string().max(512), setting: settingSchema, memberships: z.array(z.string().max(128)).max(100000) });
export const realServerDesiredSchema = z.object({
  rips: z.array(z.string().max(64)).max(256),
  settings: z.array(hostSettingEntrySchema).max(10000),
  notes: z.array(z.string().max(1024)).max(1000),
});

export const ownedChangeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("address"), id: z.string(), iface, address: z.string(), prefix: z.number().int(), family }),
  /** `original`: the value before the agent wrote `value` */
  z.object({ kind: z.literal("sysctl"), id: z.string(), key: z.string(), value: z.string(), original: z.string() }),
  z.object({ kind: z.literal("link"), id: z.string(), iface }),
  z.object({ kind: z.literal("module"), id: z.string(), name: z.string() }),
  z.object({ kind: z.literal("fou"), id: z.string(), port: z.number().int(), family }),
  z.object({ kind: z.literal("route"), id: z.string(), family, via: z.string(), original: z.array(z.string()) }),
]);
export type OwnedChange = z.infer<typeof ownedChangeSchema>;

export const realServerStateSchema = z.object({
  v: z.literal(1),
  revision: z.number().int().min(0).nullable(),
  desired: realServerDesiredSchema.nullable(),
  owned: z.array(ownedChangeSchema).max(100000),
});
export type RealServerState = z.infer<typeof realServerStateSchema>;

export interface RealServerStateStore {
  load(): Promise<RealServerState | null>;
  save(state: RealServerState): Promise<void>;
}

export class FileRealServerStateStore implements RealServerStateStore {
  readonly file: string;
  constructor(stateDir: string) {
    this.file = path.join(stateDir, "realserver.json");
  }

  async load(): Promise<RealServerState | null> {
    let text: string;
    try {
      text = await fs.readFile(this.file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
    const parsed = realServerStateSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new Error(`${this.file}: ${i?.path.join(".") || "(root)"}: ${i?.message ?? "invalid"}`);
    }
    return parsed.data;
  }

  async save(state: RealServerState): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp-${process.pid}`;
    const fh = await fs.open(tmp, "w", 0o600);
    try {
      await fh.writeFile(JSON.stringify(state));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, this.file);
  }
}

export class MemoryRealServerStateStore implements RealServerStateStore {
  state: RealServerState | null = null;
  async load() { return this.state ? structuredClone(this.state) : null; }
  async save(s: RealServerState) { this.state = structuredClone(s); }
}
