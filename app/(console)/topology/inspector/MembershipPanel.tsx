"use client";
import { useTranslations } from "next-intl";
import { ADMIN_STATES, FORWARDING_METHODS, TUNNEL_CSUM, TUNNEL_TYPES, type Membership } from "@/lvs/model.ts";
import { membershipSchema } from "@/lvs/schemas.ts";
import { useEditor } from "../../_canvas/store/context.ts";
import { NumberInput, SelectInput, Toggle, useObjectForm, type AnyForm } from "./form.tsx";
import { METHOD_WORD } from "../../_canvas/labels.ts";

/** `ipvsadm -a` options: -g/-i/-m, -w, -x, -y, tunnel options; plus the administrative state. */
export function MembershipPanel({ membership }: { membership: Membership }) {
  const t = useTranslations("editor.fields");
  const update = useEditor((s) => s.updateMembership);
  const form = useObjectForm(membershipSchema, membership, (v) => update(membership.id, v)) as unknown as AnyForm;
  const methods = FORWARDING_METHODS.map((m) => ({ value: m, label: `${m.toUpperCase()} (${METHOD_WORD[m]})` }));
  return (
    <form className="space-y-2" onSubmit={(e) => e.preventDefault()} data-testid="panel-membership">
      <div className="grid grid-cols-2 gap-2">
        <SelectInput form={form} name="method" label={t("method")} options={methods} />
        <SelectInput form={form} name="state" label={t("state")} options={ADMIN_STATES} />
      </div>
      <div className="grid grid-cols-3 gap-2">
        <NumberInput form={form} name="weight" label={t("weight")} />
        <NumberInput form={form} name="upperThreshold" label={t("upperThreshold")} />
        <NumberInput form={form} name="lowerThreshold" label={t("lowerThreshold")} />
      </div>
      <Toggle form={form} name="tunnel" label={t("tunnel")} onValue={{ type: "ipip", port: null, checksum: null }}>
        <SelectInput form={form} name="tunnel.type" label={t("tunnelType")} options={TUNNEL_TYPES} />
        <NumberInput form={form} name="tunnel.port" label={t("tunnelPort")} nullable />
        <SelectInput form={form} name="tunnel.checksum" label={t("tunnelChecksum")} options={TUNNEL_CSUM} nullable />
      </Toggle>
    </form>
  );
}
