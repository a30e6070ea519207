"use client";
import { useTranslations } from "next-intl";
import type { RealServer } from "@/lvs/model.ts";
import { realServerSchema } from "@/lvs/schemas.ts";
import { realServerHostSettings } from "@/lvs/realServer/hostSettings.ts";
import { prepareScript } from "@/lvs/realServer/prepareScript.ts";
import { useEditor } from "../../_canvas/store/context.ts";
import { CheckboxInput, ListInput, NumberInput, TextInput, useObjectForm, type AnyForm } from "./form.tsx";

/** The RIP and what the operator declares about the host (checked against the forwarding method). */
export function RealServerPanel({ realServer }: { realServer: RealServer }) {
  const t = useTranslations("editor.fields");
  const update = useEditor((s) => s.updateRealServer);
  const form = useObjectForm(realServerSchema, realServer, (v) => update(realServer.id, v)) as unknown as AnyForm;
  const topology = useEditor((s) => s.topology);
  // the "run this on each real server" step: what the agent's real-server role would do, as sh
  const downloadScript = () => {
    const text = prepareScript(realServerHostSettings(topology(), [realServer.address]), realServer.name || realServer.address);
    const url = URL.createObjectURL(new Blob([text], { type: "text/x-sh" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `prepare-${(realServer.name || realServer.address).replace(/[^A-Za-z0-9_.-]/g, "_")}.sh`;
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <form className="space-y-2" onSubmit={(e) => e.preventDefault()} data-testid="panel-realServer">
      <TextInput form={form} name="name" label={t("name")} />
      <div className="grid grid-cols-[1fr_5rem] gap-2">
        <TextInput form={form} name="address" label={t("rip")} />
        <NumberInput form={form} name="port" label={t("port")} nullable placeholder={t("servicePort")} />
      </div>
      <fieldset className="space-y-2 rounded border border-slate-200 p-2">
        <legend className="px-1 text-xs font-medium text-slate-600">{t("host")}</legend>
        <ListInput form={form} name="host.loopbackVips" label={t("loopbackVips")} />
        <ListInput form={form} name="host.tunnelVips" label={t("tunnelVips")} />
        <CheckboxInput form={form} name="host.arpSuppressed" label={t("arpSuppressed")} />
        <TextInput form={form} name="host.gateway" label={t("gateway")} nullable />
        <CheckboxInput form={form} name="host.manageGateway" label={t("manageGateway")} />
      </fieldset>
      <button type="button" className="rounded border border-slate-300 px-2 py-1 text-xs hover:bg-slate-50" onClick={downloadScript}
        title={t("prepareScriptTitle")} data-testid="realserver-prepare-script">
        {t("prepareScript")}
      </button>
    </form>
  );
}
