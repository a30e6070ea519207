"use client";
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { buttonClass, Field, inputClass } from "../_shell/AuthCard.tsx";
import { safeNext } from "../_shell/safeNext.ts";
import { useErrorText } from "../_shell/useErrorText.ts";
import { describeTrpcError } from "../trpcError.ts";
import { useTRPC } from "../trpc.ts";

export function LoginForm({ next }: { next: string | null }) {
  const t = useTranslations("auth.login");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  // a full navigation so the server renders the console with the new session cookie
  const login = useMutation(trpc.auth.login.mutationOptions({ onSuccess: () => window.location.assign(safeNext(next)) }));

  function submit(e: FormEvent) {
    e.preventDefault();
    login.mutate({ email, password });
  }

  const code = login.error ? describeTrpcError(login.error).code : null;
  const message = code === "UNAUTHORIZED" ? t("failed") : code === "TOO_MANY_REQUESTS" ? t("throttled") : login.error ? errorText(login.error).text : null;
  return (
    <form onSubmit={submit} className="flex flex-col gap-3" data-testid="login-form">
      <Field label={t("email")}>
        <input data-testid="login-email" type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} className={inputClass} />
      </Field>
      <Field label={t("password")}>
        <input data-testid="login-password" type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} className={inputClass} />
      </Field>
      {message && (
        <p role="alert" data-testid="login-error" data-error-code={code ?? ""} className="text-sm text-red-600">
          {message}
        </p>
      )}
      <button type="submit" data-testid="login-submit" disabled={login.isPending || login.isSuccess} className={buttonClass}>
        {login.isPending ? t("submitting") : t("submit")}
      </button>
    </form>
  );
}
