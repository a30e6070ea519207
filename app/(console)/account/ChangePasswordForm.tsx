"use client";
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { PASSWORD_MIN } from "../../../lvs/auth/passwordPolicy.ts";
import { buttonClass, Field, inputClass } from "../../_shell/AuthCard.tsx";
import { useErrorText } from "../../_shell/useErrorText.ts";
import { describeTrpcError } from "../../trpcError.ts";
import { useTRPC } from "../../trpc.ts";

export function ChangePasswordForm() {
  const t = useTranslations("auth");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const empty = { current: "", next: "", confirm: "" };
  const [form, setForm] = useState(empty);
  const [problem, setProblem] = useState<string | null>(null);
  const change = useMutation(trpc.auth.changePassword.mutationOptions({ onSuccess: () => setForm(empty) }));
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  function submit(e: FormEvent) {
    e.preventDefault();
    change.reset();
    if (form.next.length < PASSWORD_MIN) return setProblem(t("setup.tooShort", { min: PASSWORD_MIN }));
    if (form.next !== form.confirm) return setProblem(t("setup.mismatch"));
    setProblem(null);
    change.mutate({ currentPassword: form.current, newPassword: form.next });
  }

  // the server's message for a wrong current password (server/auth/authService.ts changePassword)
  const wrongCurrent = change.error ? describeTrpcError(change.error).message === "the current password is wrong" : false;
  const message = problem ?? (change.error ? (wrongCurrent ? t("account.wrongCurrent") : errorText(change.error).text) : null);
  return (
    <form onSubmit={submit} noValidate className="flex max-w-sm flex-col gap-3 rounded-md border border-slate-200 bg-white px-4 py-3 shadow-sm" data-testid="change-password-form">
      <Field label={t("account.current")}>
        <input type="password" autoComplete="current-password" data-testid="current-password" value={form.current} onChange={set("current")} className={inputClass} />
      </Field>
      <Field label={t("account.new")}>
        <input type="password" autoComplete="new-password" data-testid="new-password" value={form.next} onChange={set("next")} className={inputClass} />
      </Field>
      <Field label={t("account.confirm")}>
        <input type="password" autoComplete="new-password" data-testid="confirm-password" value={form.confirm} onChange={set("confirm")} className={inputClass} />
      </Field>
      {message && <p role="alert" className="text-sm text-red-600" data-testid="change-password-error">{message}</p>}
      {change.isSuccess && <p role="status" className="text-sm text-emerald-700" data-testid="change-password-done">{t("account.done")}</p>}
      <button type="submit" className={buttonClass} disabled={change.isPending} data-testid="change-password-submit">{t("account.submit")}</button>
    </form>
  );
}
