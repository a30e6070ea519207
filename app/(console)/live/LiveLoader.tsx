"use client";
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import dynamic from "next/dynamic";
import { useTRPC } from "@/app/trpc.ts";
import { useErrorText } from "@/app/_shell/useErrorText.ts";

// the live view opens a WebSocket and draws canvases: browser only
const LiveView = dynamic(() => import("./LiveView.tsx").then((m) => m.LiveView), { ssr: false });

/** Loads the topology document (for the canvas and the object names), then mounts the live view. */
export function LiveLoader({ id }: { id: string }) {
  const t = useTranslations("live");
  const trpc = useTRPC();
  const errorText = useErrorText();
  const q = useQuery({ ...trpc.topology.get.queryOptions({ id }), staleTime: 30_000 });
  if (q.isPending) return <div className="p-6 text-sm text-slate-500" data-testid="live-loading">{t("loading")}</div>;
  if (q.isError) {
    return <div className="p-6 text-sm text-red-700" data-testid="live-load-error">{t("loadError", { message: errorText(q.error).text })}</div>;
  }
  // one live view (and socket) per topology; a newer revision only redraws the canvas
  return <LiveView key={q.data.id} id={q.data.id} revision={q.data.revision} topology={q.data.document} />;
}
