/**
 * Fills the packaging templates: the systemd unit (agent/packaging/lvs-agent.service) for where the
 * executable lives, and the installer (agent/packaging/install.sh) with the unit, version and architecture.
 * The deb and install.sh share the one unit text this way.
 */
export const ENV_FILE = "/etc/lvs-agent/agent.env";

function fill(template: string, values: Record<string, string>): string {
  const out = template.replace(/@([A-Z]+)@/g, (m, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`template placeholder ${m} has no value`);
    return v;
  });
  return out;
}

/** The unit for an executable at `${libDir}/lvs-agent`. */
export function renderUnit(template: string, libDir: string): string {
  return fill(template, { LIBDIR: libDir, ENVFILE: ENV_FILE });
}

export function renderInstallScript(template: string, o: { version: string; arch: string; unit: string }): string {
  if (o.unit.split("\n").includes("UNIT")) throw new Error("the unit text contains the here-document delimiter UNIT");
  return fill(template, { VERSION: o.version, ARCH: o.arch, UNIT: o.unit.replace(/\n+$/, "") });
}
