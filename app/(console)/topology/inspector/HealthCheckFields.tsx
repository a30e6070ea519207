"use client";
/**
 * The service's health check (healthCheck, a discriminated union): off, or one kind with its fields
 * and the timing keepalived calls delay_loop/connect_timeout/retry. Changing the kind replaces the
 * object with that kind's defaults (keeping the timing). An exec check names a program installed in
 * the directors' checks directory: the picker offers what the service's directors' agents reported
 * (hello.execChecks) and says which director lacks the chosen one. Exec is admin-only (the server
 * refuses others); other roles see it read-only.
 */
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useParams } from "next/navigation";
import { HEALTH_CHECK_KINDS, type HealthCheck, type HealthCheckKind, type HealthCheckTiming } from "@/lvs/model.ts";
import { useCan } from "@/app/_shell/useSession.ts";
import { useTRPC } from "@/app/trpc.ts";
import { Field, ListInput, NumberInput, SelectInput, TextInput, type AnyForm } from "./form.tsx";

const TIMING: HealthCheckTiming = { intervalMs: 6000, timeoutMs: 3000, rise: 1, fall: 3, onFailure: "quiesce" };

/** A check of `kind` with that kind's defaults and the given timing. */
export function healthCheckOf(kind: HealthCheckKind, timing: HealthCheckTiming, execCheck = ""): HealthCheck {
  switch (kind) {
    case "none": return { kind, ...timing };
    case "tcp": return { kind, port: null, ...timing };
    case "http":
    case "https": return { kind, port: null, path: "/", host: null, status: [200, 299], bodyMatch: null, ...timing };
    case "udp": return { kind, port: null, send: "", expect: null, ...timing };
    case "exec": return { kind, check: execCheck, args: [], ...timing };
  }
}

const select = "w-full rounded border border-slate-300 px-2 py-1 text-sm";

export function HealthCheckFields({ form, directorIds }: { form: AnyForm; directorIds: string[] }) {
  const t = useTranslations("editor.healthCheck");
  const canExec = useCan("healthCheck.exec");
  const hc = form.watch("healthCheck") as HealthCheck | null;
  const installed = useInstalledChecks(directorIds);
  const set = (v: HealthCheck | null) => form.setValue("healthCheck", v, { shouldValidate: true, shouldDirty: true });
  const timing: HealthCheckTiming = hc ? { intervalMs: hc.intervalMs, timeoutMs: hc.timeoutMs, rise: hc.rise, fall: hc.fall, onFailure: hc.onFailure } : TIMING;
  const execLocked = !canExec && hc?.kind === "exec";
  const names = [...new Set(installed.flatMap((d) => d.checks ?? []))].sort();
  const check = hc?.kind === "exec" ? hc.check : "";
  const missing = hc?.kind === "exec" ? installed.filter((d) => d.checks !== null && !d.checks.includes(check)).map((d) => d.name) : [];
  return (
    <fieldset className="rounded border border-slate-200 p-2" data-testid="health-check">
      <legend className="px-1 text-xs font-medium text-slate-700">{t("title")}</legend>
      <label className="block text-xs text-slate-600">
        <span className="mb-0.5 block font-medium">{t("kind")}</span>
        <select
          className={select}
          data-testid="health-check-kind"
          value={hc?.kind ?? ""}
          disabled={execLocked}
          onChange={(e) => set(e.target.value === "" ? null : healthCheckOf(e.target.value as HealthCheckKind, timing, names[0] ?? ""))}
        >
          <option value="">{t("off")}</option>
          {HEALTH_CHECK_KINDS.filter((k) => k !== "none").map((k) => (
            <option key={k} value={k} disabled={k === "exec" && !canExec}>{k === "exec" && !canExec ? t("execAdminOnly") : k}</option>
          ))}
        </select>
      </label>
      {hc && hc.kind !== "none" && (
        <div className="mt-2 grid grid-cols-2 gap-2">
          {(hc.kind === "tcp" || hc.kind === "http" || hc.kind === "https" || hc.kind === "udp") && (
            <NumberInput form={form} name="healthCheck.port" label={t("port")} nullable placeholder={t("portDefault")} />
          )}
          {(hc.kind === "http" || hc.kind === "https") && (
            <>
              <TextInput form={form} name="healthCheck.path" label={t("path")} />
              <TextInput form={form} name="healthCheck.host" label={t("host")} nullable />
              <TextInput form={form} name="healthCheck.bodyMatch" label={t("bodyMatch")} nullable />
            </>
          )}
          {hc.kind === "udp" && (
            <>
              <TextInput form={form} name="healthCheck.send" label={t("send")} />
              <TextInput form={form} name="healthCheck.expect" label={t("expect")} nullable />
            </>
          )}
          {hc.kind === "exec" && (
            <>
              <Field form={form} name="healthCheck.check" label={t("execCheck")}>
                <select className={select} data-testid="health-check-exec" disabled={execLocked} {...form.register("healthCheck.check")}>
                  {!names.includes(check) && <option value={check}>{check === "" ? "—" : t("notInstalled", { name: check })}</option>}
                  {names.map((n) => <option key={n} value={n}>{n}</option>)}
                </select>
              </Field>
              <ListInput form={form} name="healthCheck.args" label={t("execArgs")} />
              <p className="col-span-2 text-[11px] text-slate-500" data-testid="health-check-exec-help">
                {names.length === 0 ? t("execNoneReported") : t("execHelp")}
              </p>
              {missing.length > 0 && (
                <p className="col-span-2 text-[11px] text-amber-700" data-testid="health-check-exec-missing">{t("execMissing", { name: check, directors: missing.join(", ") })}</p>
              )}
            </>
          )}
          <NumberInput form={form} name="healthCheck.intervalMs" label={t("intervalMs")} />
          <NumberInput form={form} name="healthCheck.timeoutMs" label={t("timeoutMs")} />
          <NumberInput form={form} name="healthCheck.rise" label={t("rise")} />
          <NumberInput form={form} name="healthCheck.fall" label={t("fall")} />
          <SelectInput form={form} name="healthCheck.onFailure" label={t("onFailure")} options={["quiesce", "remove"]} />
        </div>
      )}
    </fieldset>
  );
}

/** The service's directors with the exec checks their agents reported (null: not reported). */
function useInstalledChecks(directorIds: string[]): { name: string; checks: string[] | null }[] {
  const trpc = useTRPC();
  const topologyId = useParams<{ id: string }>()?.id;
  const list = useQuery({ ...trpc.director.list.queryOptions({ topologyId }), enabled: !!topologyId, staleTime: 10_000 });
  return (list.data ?? []).filter((d) => directorIds.includes(d.key)).map((d) => ({ name: d.name, checks: d.execChecks }));
}
