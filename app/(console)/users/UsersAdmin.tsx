"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { ROLES, type Role } from "../../../lvs/auth/permissions.ts";
import { buttonClass, inputClass } from "../../_shell/AuthCard.tsx";
import { useErrorText } from "../../_shell/useErrorText.ts";
import { useCan, useSession } from "../../_shell/useSession.ts";
import { useTRPC } from "../../trpc.ts";
import { DateTime } from "../_ui/DateTime.tsx";

const small = "rounded border border-slate-300 bg-white px-2 py-0.5 text-xs text-slate-800 hover:bg-slate-100 disabled:opacity-40";

/** Admin only: add users with a role, change role, reset password, disable/enable (all audited server-side). */
export function UsersAdmin() {
  const t = useTranslations("auth");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const allowed = useCan("user.admin");
  const { session } = useSession();
  const users = useQuery({ ...trpc.user.list.queryOptions(), enabled: allowed });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.user.list.queryKey() });
  const [form, setForm] = useState({ email: "", name: "", role: "viewer" as Role, password: "" });
  const [notice, setNotice] = useState<string | null>(null);
  const [resetFor, setResetFor] = useState<{ id: string; email: string; password: string } | null>(null);
  const onError = (err: unknown) => setNotice(errorText(err).text);
  const create = useMutation(trpc.user.create.mutationOptions({
    onSuccess: (u) => (setNotice(t("users.created", { email: u.email })), setForm({ email: "", name: "", role: "viewer", password: "" }), refresh()),
    onError,
  }));
  const setRole = useMutation(trpc.user.setRole.mutationOptions({ onSuccess: refresh, onError }));
  const setDisabled = useMutation(trpc.user.setDisabled.mutationOptions({ onSuccess: refresh, onError }));
  const reset = useMutation(trpc.user.resetPassword.mutationOptions({
    onSuccess: () => (setNotice(t("users.passwordSet", { email: resetFor?.email ?? "" })), setResetFor(null)),
    onError,
  }));

  if (!allowed) return <p className="text-sm text-slate-600" data-testid="users-not-allowed">{t("users.notAllowed")}</p>;

  function submit(e: FormEvent) {
    e.preventDefault();
    setNotice(null);
    create.mutate(form);
  }

  return (
    <div>
      <form onSubmit={submit} className="mb-5 flex flex-wrap items-end gap-3 rounded-md border border-slate-200 bg-white px-4 py-3 shadow-sm" data-testid="create-user-form">
        <span className="w-full text-xs font-medium uppercase tracking-wide text-slate-500">{t("users.createTitle")}</span>
        <input aria-label={t("users.email")} placeholder={t("users.email")} data-testid="new-user-email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} className={inputClass} />
        <input aria-label={t("users.name")} placeholder={t("users.name")} data-testid="new-user-name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} className={inputClass} />
        <select aria-label={t("users.role")} data-testid="new-user-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })} className={inputClass}>
          {ROLES.map((r) => <option key={r} value={r}>{t(`roles.${r}`)}</option>)}
        </select>
        <input aria-label={t("users.password")} placeholder={t("users.password")} data-testid="new-user-password" type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} className={inputClass} />
        <button type="submit" data-testid="new-user-submit" disabled={create.isPending} className={buttonClass}>{t("users.create")}</button>
      </form>
      {notice && <p role="status" className="mb-3 text-sm text-slate-700" data-testid="users-notice">{notice}</p>}
      {resetFor && (
        <form
          className="mb-3 flex items-end gap-2 rounded-md border border-amber-200 bg-amber-50 px-4 py-3"
          data-testid="reset-password-form"
          onSubmit={(e) => (e.preventDefault(), reset.mutate({ id: resetFor.id, password: resetFor.password }))}
        >
          <label className="flex flex-col gap-1 text-xs text-slate-600">
            {t("users.newPassword", { email: resetFor.email })}
            <input type="password" autoComplete="new-password" data-testid="reset-password-input" value={resetFor.password} onChange={(e) => setResetFor({ ...resetFor, password: e.target.value })} className={inputClass} />
          </label>
          <button type="submit" className={buttonClass} data-testid="reset-password-submit" disabled={reset.isPending}>{t("users.setPassword")}</button>
        </form>
      )}
      <div className="overflow-x-auto rounded-md border border-slate-200 bg-white shadow-sm">
        <table className="w-full text-left text-sm" data-testid="users-table">
          <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-3 py-2">{t("users.email")}</th>
              <th className="px-3 py-2">{t("users.name")}</th>
              <th className="px-3 py-2">{t("users.role")}</th>
              <th className="px-3 py-2">{t("users.status")}</th>
              <th className="px-3 py-2">{t("users.lastSeen")}</th>
              <th className="px-3 py-2">{t("users.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {users.data?.map((u) => {
              const me = u.id === session?.userId;
              return (
                <tr key={u.id} className="border-b border-slate-100 last:border-0" data-testid="user-row" data-email={u.email} data-role={u.role} data-disabled={u.disabled}>
                  <td className="px-3 py-1.5 text-slate-900">{u.email}{me && <span className="ml-1 text-xs text-slate-400">({t("users.you")})</span>}</td>
                  <td className="px-3 py-1.5 text-slate-600">{u.name}</td>
                  <td className="px-3 py-1.5">
                    <select aria-label={t("users.role")} data-testid="user-role-select" value={u.role} disabled={setRole.isPending} onChange={(e) => setRole.mutate({ id: u.id, role: e.target.value as Role })} className="rounded border border-slate-300 px-1 py-0.5 text-xs">
                      {ROLES.map((r) => <option key={r} value={r}>{t(`roles.${r}`)}</option>)}
                    </select>
                  </td>
                  <td className="px-3 py-1.5 text-xs">{u.disabled ? <span className="text-red-700">{t("users.disabled")}</span> : <span className="text-emerald-700">{t("users.active")}</span>}</td>
                  <td className="px-3 py-1.5 font-mono text-xs text-slate-500">{u.lastSeenAt ? <DateTime at={u.lastSeenAt} /> : t("users.never")}</td>
                  <td className="flex gap-1 px-3 py-1.5">
                    {/* your own password: the account page (needs the current one, keeps this session) */}
                    {!me && <button type="button" className={small} data-testid="user-reset-password" onClick={() => setResetFor({ id: u.id, email: u.email, password: "" })}>{t("users.resetPassword")}</button>}
                    {!me && (
                      <button type="button" className={small} data-testid="user-toggle-disabled" disabled={setDisabled.isPending} onClick={() => setDisabled.mutate({ id: u.id, disabled: !u.disabled })}>
                        {u.disabled ? t("users.enable") : t("users.disable")}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
