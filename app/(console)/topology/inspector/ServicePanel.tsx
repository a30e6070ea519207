"use client";
import { useTranslations } from "next-intl";
import {
  DEFAULT_PERSISTENCE_TIMEOUT, FAMILIES, SCHEDULER_FLAGS, SCHEDULERS, SERVICE_PROTOCOLS, type VirtualService,
} from "@/lvs/model.ts";
import { virtualServiceSchema } from "@/lvs/schemas.ts";
import { useEditor } from "../../_canvas/store/context.ts";
import {
  CheckboxInput, NumberInput, SelectInput, TextInput, Toggle, useObjectForm, type AnyForm,
} from "./form.tsx";
import { HealthCheckFields } from "./HealthCheckFields.tsx";

/** `ipvsadm -A` options. Defaults as ipvsadm: wlc, no persistence; bare -p = 360 s. */
export function ServicePanel({ service }: { service: VirtualService }) {
  const t = useTranslations("editor.fields");
  const update = useEditor((s) => s.updateService);
  const form = useObjectForm(virtualServiceSchema, service, (v) => update(service.id, v)) as unknown as AnyForm;
  const fwmark = form.watch("protocol") === "fwmark";
  return (
    <form className="space-y-2" onSubmit={(e) => e.preventDefault()} data-testid="panel-service">
      <div className="grid grid-cols-2 gap-2">
        <SelectInput form={form} name="protocol" label={t("protocol")} options={SERVICE_PROTOCOLS} />
        <SelectInput form={form} name="family" label={t("family")} options={FAMILIES} />
      </div>
      {fwmark ? (
        <NumberInput form={form} name="fwmark" label={t("fwmark")} nullable />
      ) : (
        <div className="grid grid-cols-[1fr_5rem] gap-2">
          <TextInput form={form} name="address" label={t("vip")} nullable />
          <NumberInput form={form} name="port" label={t("port")} nullable />
        </div>
      )}
      <SelectInput form={form} name="scheduler" label={t("scheduler")} options={SCHEDULERS} />
      <fieldset className="flex flex-wrap gap-x-3 gap-y-1">
        <legend className="mb-0.5 text-xs font-medium text-slate-600">{t("flags")}</legend>
        {SCHEDULER_FLAGS.map((f) => (
          <label key={f} className="flex items-center gap-1 text-xs">
            <input type="checkbox" value={f} data-testid={`inspector-field-flags-${f}`} {...form.register("flags")} />
            {f}
          </label>
        ))}
      </fieldset>
      <Toggle form={form} name="persistence" label={t("persistent")} onValue={{ timeout: DEFAULT_PERSISTENCE_TIMEOUT, netmask: null }}>
        <NumberInput form={form} name="persistence.timeout" label={t("timeout")} />
        <TextInput form={form} name="persistence.netmask" label={t("netmask")} nullable />
      </Toggle>
      <SelectInput form={form} name="persistenceEngine" label={t("persistenceEngine")} options={["sip"]} nullable />
      <CheckboxInput form={form} name="onePacket" label={t("onePacket")} />
      <CheckboxInput form={form} name="proxyProtocol" label={t("proxyProtocol")} />
      <Toggle form={form} name="sorryServer" label={t("sorryServer")} onValue={{ address: "127.0.0.1", port: null }}>
        <TextInput form={form} name="sorryServer.address" label={t("address")} />
        <NumberInput form={form} name="sorryServer.port" label={t("port")} nullable />
      </Toggle>
      <HealthCheckFields form={form} directorIds={service.directorIds} />
      <TextInput form={form} name="description" label={t("description")} />
    </form>
  );
}
