/**
 * Fail-static: the last applied desired state survives the agent and the control plane.
 * `state.json` in the state dir holds {revision, table, health}; written atomically (tmp + rename).
 * With the ipvs engine the effective table is also written where the distribution's ipvsadm service
 * restores rules at boot (Debian/Ubuntu /etc/ipvsadm.rules, Red Hat /etc/sysconfig/ipvsadm).
 */
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { healthConfigSchema } from "../lvs/protocol/agent.ts";
import type { HealthConfig } from "../lvs/protocol/agent.ts";
import { ipvsTableSchema } from "../lvs/schemas.ts";
import { desiredHaSchema, type DesiredHa } from "../lvs/protocol/ha.ts";
import type { IpvsTable } from "../lvs/model.ts";

export const persistedSchema = z.object({
  revision: z.number().int().min(0),
  table: ipvsTableSchema,
  health: healthConfigSchema,
  savedAt: z.number().int().min(0),
  /** health targets (monitor keys) that were down when saved; older files have none */
  down: z.array(z.string().max(1024)).max(100000).default([]),
  /** the VRRP / connection sync part of the revision (older files have none) */
  ha: desiredHaSchema.nullable().default(null),
});
export type PersistedState = z.infer<typeof persistedSchema>;

export const BOOT_RULES_PATHS = { debian: "/etc/ipvsadm.rules", redhat: "/etc/sysconfig/ipvsadm" } as const;

/** Picks the distribution's boot rules file: Red Hat's when /etc/redhat-release exists, else Debian's. */
export async function defaultBootRulesPath(): Promise<string> {
  try {
    await fs.access("/etc/redhat-release");
    return BOOT_RULES_PATHS.redhat;
  } catch {
    return BOOT_RULES_PATHS.debian;
  }
}

async function writeAtomic(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await fs.open(tmp, "w", 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, file);
}

export interface FailStaticOptions {
  stateDir: string;
  /** ipvs only: also write the effective table here in ipvsadm-save format */
  bootRules?: { path: string; render: (table: IpvsTable) => string };
}

export class FailStatic {
  readonly file: string;

  constructor(private readonly opts: FailStaticOptions) {
    this.file = path.join(opts.stateDir, "state.json");
  }

  async load(): Promise<PersistedState | null> {
    let text: string;
    try {
      text = await fs.readFile(this.file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new Error(`${this.file}: not JSON (${(e as Error).message}); was it cut short?`);
    }
    const parsed = persistedSchema.safeParse(raw);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new Error(`${this.file}: ${i?.path.join(".") || "(root)"}: ${i?.message ?? "invalid"}`);
    }
    return parsed.data;
  }

  async save(state: { revision: number; table: IpvsTable; health: HealthConfig; savedAt: number; down: string[]; ha?: DesiredHa | null }): Promise<void> {
    await writeAtomic(this.file, JSON.stringify(state));
  }

  async saveBootRules(effective: IpvsTable): Promise<void> {
    if (!this.opts.bootRules) return;
    await writeAtomic(this.opts.bootRules.path, this.opts.bootRules.render(effective));
  }
}
