"use client";
import { useTranslations } from "next-intl";
import { useFieldArray } from "react-hook-form";
import { DEFAULT_IPVS_TIMEOUTS, ENGINE_KINDS, type Director } from "@/lvs/model.ts";
import { directorSchema } from "@/lvs/schemas.ts";
import { useEditor } from "../../_canvas/store/context.ts";
import { NumberInput, SelectInput, TextInput, Toggle, useObjectForm, type AnyForm } from "./form.tsx";

export function DirectorPanel({ director }: { director: Director }) {
  const t = useTranslations("editor.fields");
  const update = useEditor((s) => s.updateDirector);
  const form = useObjectForm(directorSchema, director, (v) => update(director.id, v)) as unknown as AnyForm;
  const dips = useFieldArray({ control: form.control, name: "interfaces" });
  return (
    <form className="space-y-2" onSubmit={(e) => e.preventDefault()} data-testid="panel-director">
      <TextInput form={form} name="name" label={t("name")} />
      <TextInput form={form} name="managementAddress" label={t("managementAddress")} nullable />
      <SelectInput form={form} name="engine" label={t("engine")} options={ENGINE_KINDS} />
      <div className="text-xs font-medium text-slate-600">{t("interfaces")}</div>
      {dips.fields.map((f, i) => (
        <div key={f.id} className="grid grid-cols-[4rem_1fr_3.5rem_auto] items-end gap-1">
          <TextInput form={form} name={`interfaces.${i}.name`} label={t("ifName")} />
          <TextInput form={form} name={`interfaces.${i}.address`} label={t("dip")} />
          <NumberInput form={form} name={`interfaces.${i}.prefix`} label={t("prefix")} />
          <button type="button" className="mb-1 px-1 text-slate-500 hover:text-red-600" data-testid={`remove-interface-${i}`} onClick={() => dips.remove(i)} aria-label={t("remove")}>
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        data-testid="add-interface"
        className="rounded border border-dashed border-slate-300 px-2 py-0.5 text-xs text-slate-600"
        onClick={() => dips.append({ name: `eth${dips.fields.length}`, address: "10.0.0.1", prefix: 24 })}
      >
        {t("addInterface")}
      </button>
      {/* ipvsadm --set tcp tcpfin udp: global to the director; 0 leaves the kernel's value */}
      <Toggle form={form} name="timeouts" label={t("timeouts")} onValue={{ ...DEFAULT_IPVS_TIMEOUTS }}>
        <NumberInput form={form} name="timeouts.tcp" label={t("timeoutTcp")} />
        <NumberInput form={form} name="timeouts.tcpfin" label={t("timeoutTcpfin")} />
        <NumberInput form={form} name="timeouts.udp" label={t("timeoutUdp")} />
        <p className="col-span-2 text-[11px] text-slate-500" data-testid="timeouts-help">{t("timeoutsHelp")}</p>
      </Toggle>
    </form>
  );
}
