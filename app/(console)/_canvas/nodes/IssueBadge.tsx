"use client";
import { memo } from "react";
import { useEditor } from "../store/context.ts";
import { useCodedText } from "@/app/_i18n/useCodedText.ts";

/** Error/warning count for one node or edge, from the latest validate() run. */
export const IssueBadge = memo(function IssueBadge({ objectId }: { objectId: string }) {
  const badge = useEditor((s) => s.badges[objectId]);
  const text = useCodedText("issue");
  if (!badge) return null;
  const error = badge.errors > 0;
  return (
    <span
      data-testid={`badge-${objectId}`}
      data-severity={error ? "error" : "warning"}
      title={text(badge.first)}
      className={`inline-flex min-w-5 items-center justify-center rounded-full px-1.5 text-[10px] font-bold leading-4 text-white ${error ? "bg-red-600" : "bg-amber-500"}`}
    >
      {error ? "✕" : "⚠"}&nbsp;{error ? badge.errors : badge.warnings}
    </span>
  );
});
