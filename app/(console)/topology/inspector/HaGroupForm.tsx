"use client";
/**
 * The VRRP settings of one declared HA group (lvs/schemas.ts haGroupSchema decides; invalid input
 * stays in the form with its error inline): members and their priorities (empty = the default by
 * order: 200, 190, ...), virtual_router_id (empty = allocated), the interface the VIPs float on
 * (empty = the one whose network holds the VIP), advert_int, VRRP version, nopreempt, unicast or
 * multicast, VRRPv2 PASS authentication, and IPVS connection sync with its interface and syncid.
 */
import { useTranslations } from "next-intl";
import { useState } from "react";
import { groupPriority } from "@/lvs/ha/haGroups.ts";
import type { Director, HaGroup } from "@/lvs/model.ts";
import { haGroupSchema } from "@/lvs/schemas.ts";
import { CheckboxInput, NumberInput, TextInput, useObjectForm, type AnyForm } from "./form.tsx";

interface Props {
  group: HaGroup;
  directors: readonly Director[];
  onChange(next: HaGroup): void;
  onRemove(): void;
}

export function HaGroupForm({ group, directors, onChange, onRemove }: Props) {
  const t = useTranslations("editor.ha");
  const form = useObjectForm(haGroupSchema, group, (v) => onChange(v as HaGroup)) as unknown as AnyForm;
  const [bad, setBad] = useState<Record<string, boolean>>({});
  const setMember = (id: string, on: boolean) => {
    const directorIds = on ? [...group.directorIds, id] : group.directorIds.filter((d) => d !== id);
    const priorities = { ...group.priorities };
    if (!on) delete priorities[id];
    onChange({ ...group, directorIds, priorities });
  };
  const setPriority = (id: string, text: string) => {
    const priorities = { ...group.priorities };
    if (text.trim() === "") delete priorities[id];
    else {
      const n = Number(text);
      const ok = Number.isInteger(n) && n >= 1 && n <= 254;
      setBad((b) => ({ ...b, [id]: !ok }));
      if (!ok) return;
      priorities[id] = n;
    }
    setBad((b) => ({ ...b, [id]: false }));
    onChange({ ...group, priorities });
  };
  const sync = form.watch("connectionSync") === true;
  const v2 = Number(form.watch("vrrpVersion")) === 2;
  return (
    <form className="mt-1 space-y-2" onSubmit={(e) => e.preventDefault()} data-testid="ha-group-form">
      <TextInput form={form} name="name" label={t("name")} />
      <fieldset>
        <legend className="text-xs font-medium text-slate-600">{t("membersPriorities")}</legend>
        {directors.map((d) => {
          const member = group.directorIds.includes(d.id);
          return (
            <div key={d.id} className="grid grid-cols-[1fr_5rem] items-center gap-2">
              <label className="flex items-center gap-1">
                <input type="checkbox" checked={member} onChange={(e) => setMember(d.id, e.target.checked)} data-testid={`ha-member-${d.id}`} />
                {d.name || d.id}
              </label>
              {member && (
                <span>
                  <input
                    type="number" className="w-full rounded border border-slate-300 px-1 py-0.5 aria-[invalid=true]:border-red-500"
                    defaultValue={group.priorities[d.id] ?? ""} placeholder={String(groupPriority(group, d.id))} aria-invalid={!!bad[d.id]}
                    aria-label={t("priority")} data-testid={`ha-priority-${d.id}`} onChange={(e) => setPriority(d.id, e.target.value)}
                  />
                  {bad[d.id] && <span className="block text-[11px] text-red-600" data-testid={`ha-priority-error-${d.id}`}>{t("priorityRange")}</span>}
                </span>
              )}
            </div>
          );
        })}
      </fieldset>
      <div className="grid grid-cols-2 gap-2">
        <NumberInput form={form} name="virtualRouterId" label="virtual_router_id" nullable placeholder={t("auto")} />
        <TextInput form={form} name="interface" label={t("interface")} nullable placeholder={t("auto")} />
        <NumberInput form={form} name="advertIntMs" label={t("advertIntMs")} />
        <NumberInput form={form} name="vrrpVersion" label={t("version")} />
      </div>
      <CheckboxInput form={form} name="nopreempt" label={t("nopreempt")} />
      <CheckboxInput form={form} name="unicast" label={t("unicast")} />
      {v2 && <TextInput form={form} name="authPass" label={t("authPass")} nullable />}
      <CheckboxInput form={form} name="connectionSync" label={t("connectionSync")} />
      {sync && (
        <div className="grid grid-cols-2 gap-2">
          <TextInput form={form} name="syncInterface" label={t("syncInterface")} nullable placeholder={t("auto")} />
          <NumberInput form={form} name="syncId" label="syncid" nullable placeholder={t("auto")} />
        </div>
      )}
      <button type="button" className="text-xs text-red-700 underline" onClick={onRemove} data-testid="ha-remove">{t("remove")}</button>
    </form>
  );
}
