import type { Metadata } from "next";
import { EditorLoader } from "../EditorLoader.tsx";
import { openPrefetchScript } from "../openPrefetch.ts";

export const metadata: Metadata = { title: "Topology editor" };

export default async function TopologyPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <>
      {/* the document is requested while the page's JavaScript loads (openPrefetch.ts) */}
      <script dangerouslySetInnerHTML={{ __html: openPrefetchScript(id) }} />
      <EditorLoader id={id} />
    </>
  );
}
