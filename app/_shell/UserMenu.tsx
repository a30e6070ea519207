"use client";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useTRPC } from "../trpc.ts";
import { useSession } from "./useSession.ts";

/** The signed-in user and their role, with sign-out. Nothing when signed out (login and setup pages). */
export function UserMenu() {
  const t = useTranslations("auth");
  const trpc = useTRPC();
  const { session } = useSession();
  const logout = useMutation(trpc.auth.logout.mutationOptions({ onSettled: () => window.location.assign("/login") }));
  if (!session) return null;
  return (
    <div className="flex items-center gap-2 text-xs" data-testid="user-menu" aria-label={t("menu.label")}>
      <Link href="/account" className="text-slate-300 hover:text-white" title={t("menu.signedInAs", { email: session.email })} data-testid="user-email">
        {session.email}
      </Link>
      <span className="rounded bg-white/10 px-1.5 py-0.5 font-medium text-slate-200" data-testid="user-role" data-role={session.role}>
        {t(`roles.${session.role}`)}
      </span>
      <button
        type="button"
        data-testid="logout"
        disabled={logout.isPending}
        onClick={() => logout.mutate()}
        className="rounded px-2 py-1 text-slate-400 hover:bg-white/5 hover:text-slate-100 disabled:opacity-60"
      >
        {t("menu.logout")}
      </button>
    </div>
  );
}
