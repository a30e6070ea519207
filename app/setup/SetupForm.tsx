"use client";
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { PASSWORD_MIN } from "../../lvs/auth/passwordPolicy.ts";
import { buttonClass, Field, inputClass } from "../_shell/AuthCard.tsx";
import { useErrorText } from "../_shell/useErrorText.ts";
import { describeTrpcError } from "../trpcError.ts";
import { useTRPC } from "../trpc.ts";

type Problem = "tooShort" | "mismatch" | null;

export function SetupForm() {
  const t = useTranslations("auth.setup");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const [form, setForm] = useState({ name: "", email: "", password: "", confirm: "" });
  const [problem, setProblem] = useState<Problem>(null);
  const setup = useMutation(trpc.auth.setup.mutationOptions({ onSuccess: () => window.location.assign("/") }));
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  function submit(e: FormEvent) {
    e.preventDefault();
    if (form.password.length < PASSWORD_MIN) return setProblem("tooShort");
    if (form.password !== form.confirm) return setProblem("mismatch");
    setProblem(null);
    setup.mutate({ name: form.name, email: form.email, password: form.password });
  }

  const serverError = setup.error ? (describeTrpcError(setup.error).code === "CONFLICT" ? t("alreadyDone") : errorText(setup.error).text) : null;
  const message = problem ? t(problem, { min: PASSWORD_MIN }) : serverError;
  return (
    <form onSubmit={submit} className="flex flex-col gap-3" data-testid="setup-form" noValidate>
      <Field label={t("name")}>
        <input data-testid="setup-name" name="name" autoComplete="name" value={form.name} onChange={set("name")} className={inputClass} />
      </Field>
      <Field label={t("email")}>
        <input data-testid="setup-email" type="email" name="email" autoComplete="username" required value={form.email} onChange={set("email")} className={inputClass} />
      </Field>
      <Field label={t("password")}>
        <input data-testid="setup-password" type="password" name="password" autoComplete="new-password" required value={form.password} onChange={set("password")} aria-invalid={problem === "tooShort"} className={inputClass} />
      </Field>
      <Field label={t("confirm")}>
        <input data-testid="setup-confirm" type="password" name="confirm" autoComplete="new-password" required value={form.confirm} onChange={set("confirm")} aria-invalid={problem === "mismatch"} className={inputClass} />
      </Field>
      <p className="text-xs text-slate-500">{t("hint", { min: PASSWORD_MIN })}</p>
      {message && (
        <p role="alert" data-testid="setup-error" className="text-sm text-red-600">
          {message}
        </p>
      )}
      <button type="submit" data-testid="setup-submit" disabled={setup.isPending || setup.isSuccess} className={buttonClass}>
        {setup.isPending ? t("submitting") : t("submit")}
      </button>
    </form>
  );
}
