"use client";
/**
 * The HA groups of the selected director (in its inspector): directors placed on the same VIP form
 * a group with default VRRP settings; "declare" pins those settings (keeping the allocated
 * virtual_router_id, so the agents see no change) and makes them editable; a director can form a
 * pair with another one. The VIPs a group floats are the VIPs placed on all of its directors: the
 * checkboxes place (or unplace) a VIP's services on the group's other directors. Validation issues
 * of the group (ha.* codes) are shown here, in the UI language.
 */
import { useTranslations } from "next-intl";
import { useMemo, useState } from "react";
import { useCodedText } from "@/app/_i18n/useCodedText.ts";
import { canonicalAddress } from "@/lvs/address.ts";
import { defaultHaGroup, resolveHaGroups, type ResolvedHaGroup } from "@/lvs/ha/haGroups.ts";
import type { HaGroup, Topology } from "@/lvs/model.ts";
import { useEditor, useEditorStore } from "../../_canvas/store/context.ts";
import { graphToTopology } from "../../_canvas/graph.ts";
import { HaGroupForm } from "./HaGroupForm.tsx";

const button = "rounded border border-slate-300 px-2 py-0.5 text-xs text-slate-700 hover:bg-slate-50";

export function HaGroupsPanel({ directorId }: { directorId: string }) {
  const t = useTranslations("editor.ha");
  const issueText = useCodedText("issue");
  const store = useEditorStore();
  const nodes = useEditor((s) => s.nodes);
  const haGroups = useEditor((s) => s.haGroups);
  const issues = useEditor((s) => s.issues);
  const topology: Topology = useMemo(() => ({ ...graphToTopology("", nodes, []), haGroups }), [nodes, haGroups]);
  const groups = useMemo(() => resolveHaGroups(topology).filter((g) => g.directorIds.includes(directorId)), [topology, directorId]);
  const others = topology.directors.filter((d) => d.id !== directorId);
  const [peer, setPeer] = useState("");
  const nameOf = (id: string) => topology.directors.find((d) => d.id === id)?.name || id;

  const setGroups = (next: HaGroup[]) => store.getState().setHaGroups(next);
  const declare = (g: ResolvedHaGroup) => {
    const { declared: _d, vips: _v, routerId, ...plain } = g;
    setGroups([...(haGroups ?? []), { ...plain, id: store.getState().newId("haGroup"), virtualRouterId: routerId }]);
  };
  const pair = () => {
    if (!peer) return;
    const g = defaultHaGroup(store.getState().newId("haGroup"), [directorId, peer], `${nameOf(directorId)} + ${nameOf(peer)}`);
    setGroups([...(haGroups ?? []), g]);
    setPeer("");
  };
  /** VIP on/off for a group: its services get (or lose) the group's other directors, as one undo step */
  const toggleVip = (g: ResolvedHaGroup, vip: string, on: boolean) => {
    const s = store.getState();
    const doc = s.topology();
    const services = doc.services.map((x) => {
      if (x.address === null || canonicalAddress(x.address) !== vip) return x;
      const ids = on ? [...new Set([...x.directorIds, ...g.directorIds])] : x.directorIds.filter((d) => d === directorId || !g.directorIds.includes(d));
      return ids.length === x.directorIds.length && ids.every((d, i) => d === x.directorIds[i]) ? x : { ...x, directorIds: ids };
    });
    s.replaceDocument({ ...doc, services });
    // the new graph has no selection: keep this director's inspector open
    s.select([directorId]);
  };

  return (
    <section className="mt-3 space-y-2 border-t border-slate-200 pt-2" data-testid="ha-groups">
      <h4 className="text-xs font-semibold text-slate-700">{t("title")}</h4>
      {groups.length === 0 && <p className="text-xs text-slate-500" data-testid="ha-none">{t("none")}</p>}
      {groups.map((g) => {
        const mine = issues.filter((i) => i.path[0] === "haGroups" && i.path[1] === g.id);
        const candidates = [...new Set(topology.services.filter((s) => s.address !== null && s.directorIds.some((d) => g.directorIds.includes(d))).map((s) => canonicalAddress(s.address!) ?? s.address!))];
        return (
          <div key={g.id} className="rounded border border-slate-200 p-2 text-xs" data-testid={`ha-group-${g.id}`} data-declared={g.declared}>
            <div className="flex items-center justify-between gap-2">
              <span className="font-semibold">{g.name || g.id}</span>
              <span className="font-mono text-slate-500" data-testid="ha-group-vrid">VRID {g.routerId ?? "—"}</span>
            </div>
            <div className="text-slate-600">{t("members", { directors: g.directorIds.map(nameOf).join(", ") })}</div>
            {mine.length > 0 && (
              <ul className="my-1 space-y-0.5 rounded border border-red-200 bg-red-50 p-1" data-testid="ha-group-issues">
                {mine.map((i, k) => (
                  <li key={k} className={i.severity === "error" ? "text-red-700" : "text-amber-700"} data-code={i.code} data-field={String(i.path[2] ?? "")}>
                    <span className="font-mono text-[10px]">{i.code}</span> {issueText(i)}
                  </li>
                ))}
              </ul>
            )}
            <fieldset className="my-1">
              <legend className="font-medium text-slate-600">{t("vips")}</legend>
              {candidates.length === 0 && <span className="text-slate-500">{t("noVips")}</span>}
              {candidates.map((vip) => (
                <label key={vip} className="mr-3 inline-flex items-center gap-1 font-mono">
                  <input type="checkbox" checked={g.vips.includes(vip)} data-testid={`ha-vip-${vip}`} onChange={(e) => toggleVip(g, vip, e.target.checked)} />
                  {vip}
                </label>
              ))}
            </fieldset>
            {g.declared ? (
              <HaGroupForm
                group={haGroups!.find((x) => x.id === g.id)!}
                directors={topology.directors}
                onChange={(next) => setGroups(haGroups!.map((x) => (x.id === g.id ? next : x)))}
                onRemove={() => setGroups(haGroups!.filter((x) => x.id !== g.id))}
              />
            ) : (
              <div className="mt-1 flex items-center gap-2">
                <span className="text-slate-500">{t("derived")}</span>
                <button type="button" className={button} data-testid="ha-declare" onClick={() => declare(g)}>{t("declare")}</button>
              </div>
            )}
          </div>
        );
      })}
      {others.length > 0 && (
        <div className="flex items-center gap-2 text-xs">
          <select className="rounded border border-slate-300 px-1 py-0.5" value={peer} onChange={(e) => setPeer(e.target.value)} data-testid="ha-pair-with" aria-label={t("pairWith")}>
            <option value="">{t("pairWith")}</option>
            {others.map((d) => <option key={d.id} value={d.id}>{d.name || d.id}</option>)}
          </select>
          <button type="button" className={button} disabled={!peer} onClick={pair} data-testid="ha-pair">{t("pair")}</button>
        </div>
      )}
    </section>
  );
}
