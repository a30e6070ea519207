"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { useErrorText } from "../../_shell/useErrorText.ts";
import { useCan } from "../../_shell/useSession.ts";
import { describeTrpcError } from "../../trpcError.ts";
import { useTRPC } from "../../trpc.ts";

/** Topology names: 1..128 characters (lvs/schemas.ts). */
export const TOPOLOGY_NAME_MAX = 128;

/** What to tell the user; kept as data so it re-renders in the current language. */
type Feedback =
  | { kind: "created"; name: string }
  | { kind: "required" }
  | { kind: "tooLong" }
  | { kind: "duplicate"; name: string }
  | { kind: "failed"; error: unknown }
  | null;

export function CreateTopologyForm() {
  const t = useTranslations("topologies.create");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [feedback, setFeedback] = useState<Feedback>(null);

  const create = useMutation(
    trpc.topology.create.mutationOptions({
      onSuccess: async (_data, vars) => {
        setName("");
        setFeedback({ kind: "created", name: vars.name });
        await queryClient.invalidateQueries({ queryKey: trpc.topology.list.queryKey() });
      },
      onError: (err, vars) => {
        setFeedback(describeTrpcError(err).code === "CONFLICT" ? { kind: "duplicate", name: vars.name } : { kind: "failed", error: err });
      },
    }),
  );

  function errorFeedback(f: Feedback): { code: string; text: string } | null {
    switch (f?.kind) {
      case "required":
        return { code: "BAD_REQUEST", text: t("nameRequired") };
      case "tooLong":
        return { code: "BAD_REQUEST", text: t("nameTooLong", { max: TOPOLOGY_NAME_MAX }) };
      case "duplicate":
        return { code: "CONFLICT", text: t("duplicate", { name: f.name }) };
      case "failed": {
        const { text, error } = errorText(f.error);
        const field = error.fieldErrors.name?.[0];
        return { code: error.code, text: field ? `${text} (${field})` : text };
      }
      default:
        return null;
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    const trimmed = name.trim();
    if (trimmed.length === 0) {
      setFeedback({ kind: "required" });
      return;
    }
    if (trimmed.length > TOPOLOGY_NAME_MAX) {
      setFeedback({ kind: "tooLong" });
      return;
    }
    setFeedback(null);
    create.mutate({ name: trimmed });
  }

  const error = errorFeedback(feedback);
  const invalid = error !== null;
  const allowed = useCan("topology.create");
  if (!allowed) return null; // the server refuses it too (403); viewers just do not see the form

  return (
    <form
      onSubmit={submit}
      noValidate
      data-testid="create-topology-form"
      className="mb-5 rounded-md border border-slate-200 bg-white px-4 py-3 shadow-sm"
    >
      <div className="flex flex-wrap items-end gap-3">
        <label className="flex min-w-64 flex-1 flex-col gap-1">
          <span className="text-xs font-medium uppercase tracking-wide text-slate-500">{t("title")} · {t("nameLabel")}</span>
          <input
            data-testid="create-topology-name"
            name="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder={t("namePlaceholder")}
            maxLength={TOPOLOGY_NAME_MAX + 1}
            autoComplete="off"
            aria-invalid={invalid}
            aria-describedby="create-topology-feedback"
            className="h-8 rounded border border-slate-300 bg-white px-2.5 text-sm text-slate-900 placeholder:text-slate-400 hover:border-slate-400 focus:border-sky-500 aria-invalid:border-red-400"
          />
        </label>
        <button
          type="submit"
          data-testid="create-topology-submit"
          disabled={create.isPending}
          className="h-8 rounded bg-sky-600 px-3 text-sm font-medium text-white shadow-sm hover:bg-sky-500 disabled:cursor-wait disabled:opacity-60"
        >
          {create.isPending ? t("submit") + "…" : t("submit")}
        </button>
      </div>
      <div id="create-topology-feedback" aria-live="polite" className="min-h-0">
        {error && (
          <p data-testid="create-topology-error" data-error-code={error.code} role="alert" className="mt-2 text-sm text-red-600">
            {error.text}
          </p>
        )}
        {feedback?.kind === "created" && (
          <p data-testid="create-topology-success" className="mt-2 text-sm text-emerald-700">
            {t("created", { name: feedback.name })}
          </p>
        )}
      </div>
    </form>
  );
}
