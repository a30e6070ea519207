"use client";
import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { useTranslations } from "next-intl";
import dynamic from "next/dynamic";
import { useTRPC, useTRPCClient } from "@/app/trpc.ts";
import { unpackTopology } from "@/lvs/packedTopology.ts";
import { takePrefetchedOpen } from "./openPrefetch.ts";
import { rememberPacked } from "./validation/packedDocuments.ts";
import { useErrorText } from "@/app/_shell/useErrorText.ts";
import { useSession } from "@/app/_shell/useSession.ts";
import { can } from "@/lvs/auth/permissions.ts";
import { LiveOverlay } from "../_live/LiveContext.tsx";
import { TopologyTabs } from "../_ui/TopologyTabs.tsx";

const loadEditor = () => import("./TopologyEditor.tsx");
const TopologyEditor = dynamic(() => loadEditor().then((m) => m.TopologyEditor), { ssr: false });

/**
 * Loads the topology (packed: topology.open), then mounts the editor with it. The editor is never rendered before the query
 * resolved: a node dropped meanwhile would be wiped by the loaded document. Later refetches do not
 * touch the canvas (the editor owns its document until it saves or reloads). The editor's code is
 * fetched and evaluated while the document loads (issue 17: at 10 000 services the document takes
 * ~0.5-1 s; its chunks were requested only once it had arrived).
 */
export function EditorLoader({ id }: { id: string }) {
  const t = useTranslations("editor");
  const trpc = useTRPC();
  const errorText = useErrorText();
  const client = useTRPCClient();
  // topology.open: the stored topology with its document packed (a third of the JSON at 10 000
  // services), unpacked here to the document topology.get gives, under topology.get's key (saves and
  // the other tabs read and update that entry)
  const q = useQuery({
    queryKey: trpc.topology.get.queryKey({ id }),
    queryFn: async ({ signal }) => {
      const prefetched = (await takePrefetchedOpen(id)) as Awaited<ReturnType<typeof client.topology.open.query>> | null;
      const { packed, ...stored } = prefetched ?? (await client.topology.open.query({ id }, { signal }));
      const document = unpackTopology(packed);
      rememberPacked(document, packed); // its first validation sends this (validation/packedDocuments.ts)
      return { ...stored, document };
    },
    staleTime: Infinity,
    refetchOnMount: false,
  });
  // the role decides whether the editor edits at all: never mount an editable canvas for a viewer
  const { session, loading } = useSession();
  useEffect(() => void loadEditor(), []);
  if (q.isPending || loading) {
    return <div className="p-6 text-sm text-slate-500" data-testid="editor-loading">{t("loading")}</div>;
  }
  if (q.isError) {
    return (
      <div className="p-6 text-sm text-red-700" data-testid="editor-load-error">
        {t("loadError", { message: errorText(q.error).text })}
      </div>
    );
  }
  // live overlays (conns/s, health, online) on the saved objects while editing
  return (
    <>
      <TopologyTabs id={q.data.id} active="design" />
      <LiveOverlay topologyId={q.data.id} topology={q.data.document}>
        <TopologyEditor key={`${q.data.id}`} id={q.data.id} revision={q.data.revision} document={q.data.document} readOnly={!can(session?.role, "topology.save")} />
      </LiveOverlay>
    </>
  );
}
