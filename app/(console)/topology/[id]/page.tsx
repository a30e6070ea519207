import type { Metadata } from "next";
import { EditorLoader } from "../EditorLoader.tsx";

export const metadata: Metadata = { title: "Topology editor" };

export default async function TopologyPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <EditorLoader id={id} />;
}
