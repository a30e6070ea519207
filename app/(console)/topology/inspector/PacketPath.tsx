"use client";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { Membership } from "@/lvs/model.ts";
import { useEditor } from "../../_canvas/store/context.ts";
import type { DirectorNode } from "../../_canvas/graph.ts";
import { packetPath } from "./packetPath.ts";
import { failingHops, type CheckOf } from "@/lvs/realServer/membershipVerdict.ts";

/** Explains the selected membership's forwarding method with this topology's addresses. */
export function PacketPath({ membership, failing = [] }: { membership: Membership; failing?: readonly CheckOf[] }) {
  const tv = useTranslations("editor.verify");
  const t = useTranslations("editor.packetPath");
  const service = useEditor((s) => s.nodes.find((n) => n.id === membership.serviceId));
  const rs = useEditor((s) => s.nodes.find((n) => n.id === membership.realServerId));
  const nodes = useEditor((s) => s.nodes);
  const [pick, setPick] = useState(0);
  if (service?.type !== "service" || rs?.type !== "realServer") return null;
  const directors = service.data.service.directorIds
    .map((d) => nodes.find((n): n is DirectorNode => n.id === d && n.type === "director"))
    .filter((d): d is DirectorNode => !!d);
  const director = directors[Math.min(pick, directors.length - 1)]?.data.director;
  const p = packetPath(membership, service.data.service, rs.data.realServer, director);
  // a director's failing prerequisite counts only for the director shown
  const broken = failingHops(p.mode, failing.filter((c) => c.on === "realServer" || c.host === director?.name));
  return (
    <section className="mt-4 rounded border border-slate-200 bg-slate-50 p-2" data-testid="packet-path" data-mode={p.mode}>
      <h4 className="text-xs font-semibold text-slate-700">{t("title")} · {t(`mode.${p.mode}`)}</h4>
      <p className="mb-2 font-mono text-[11px] text-slate-600" data-testid="packet-path-summary" data-dip={p.dipState}>
        {p.cip} → VIP {p.vip} → {p.dipState === "declared" ? `DIP ${p.dip}` : tv(p.dipState === "routed" ? "dipRouted" : "dipMissing")} ({p.director}) → RIP {p.rip}
      </p>
      {directors.length > 1 && (
        <select className="mb-2 rounded border px-1 text-xs" value={pick} onChange={(e) => setPick(Number(e.target.value))} data-testid="packet-path-director">
          {directors.map((d, i) => <option key={d.id} value={i}>{d.data.director.name}</option>)}
        </select>
      )}
      <ol className="space-y-1.5">
        {p.hops.map((h, i) => (
          <li key={i} className={`rounded p-1.5 text-[11px] shadow-sm ${broken.has(i) ? "bg-red-50 ring-1 ring-red-300" : "bg-white"}`} data-testid={`packet-hop-${i}`} data-failing={broken.has(i) ? "true" : undefined}>
            <div className="font-medium text-slate-800">{i + 1}. {t(`who.${h.from}`)} → {t(`who.${h.to}`)}</div>
            <div className="font-mono text-slate-700">IP {h.src} → {h.dst}</div>
            {h.outer && <div className="font-mono text-purple-700">{t(`outer.${h.outer.kind}`, h.outer)}</div>}
            <div className="text-slate-500">{t(`notes.${h.note}`, h.values ?? {})}</div>
            {broken.has(i) && <div className="text-red-700" data-testid={`packet-hop-${i}-broken`}>✗ {tv("hopFailing", { checks: broken.get(i)!.map((c) => c.id).join(", ") })}</div>}
          </li>
        ))}
      </ol>
    </section>
  );
}
