"use client";
/**
 * The connection table of one director, like `ipvsadm -Lnc`: fetched from the agent only when
 * asked (it can be large), one page at a time, filtered by client, VIP or real server.
 */
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/app/trpc.ts";
import type { ConnectionEntry } from "@/lvs/model.ts";

const PAGE = 50;

const endpoint = (e: { address: string; port: number }) => (e.address.includes(":") ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`);

/** ipvsadm's expire column: mm:ss. */
export function expireText(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

interface Filter {
  client: string;
  virtual: string;
  destination: string;
}

export function ConnectionTable({ directorId }: { directorId: string }) {
  const t = useTranslations("live.connections");
  const trpc = useTRPC();
  const [requested, setRequested] = useState(false);
  const [offset, setOffset] = useState(0);
  const [draft, setDraft] = useState<Filter>({ client: "", virtual: "", destination: "" });
  const [filter, setFilter] = useState<Filter>(draft);
  const input = {
    directorId, offset, limit: PAGE,
    ...(filter.client ? { client: filter.client } : {}),
    ...(filter.virtual ? { virtual: filter.virtual } : {}),
    ...(filter.destination ? { destination: filter.destination } : {}),
  };
  const q = useQuery({ ...trpc.live.connections.queryOptions(input), enabled: requested, staleTime: Infinity, placeholderData: (p) => p });

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilter(draft);
    setOffset(0);
    if (requested) void q.refetch();
    setRequested(true);
  };
  const total = q.data?.total ?? 0;
  const entries: ConnectionEntry[] = q.data?.entries ?? [];
  const field = (name: keyof Filter) => (
    <label className="flex items-center gap-1 text-xs text-slate-600">
      {t(`filter.${name}`)}
      <input
        className="w-36 rounded border border-slate-300 px-1.5 py-0.5 font-mono text-xs"
        data-testid={`conns-filter-${name}`}
        value={draft[name]}
        placeholder="127.0.0.1:80"
        onChange={(e) => setDraft({ ...draft, [name]: e.target.value })}
      />
    </label>
  );

  return (
    <section className="rounded-md border border-slate-200 bg-white" data-testid="conns-table" data-total={q.data?.total ?? ""}>
      <form className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-3 py-2" onSubmit={apply}>
        <h2 className="mr-2 text-sm font-semibold text-slate-900">{t("title")}</h2>
        {field("client")}
        {field("virtual")}
        {field("destination")}
        <button type="submit" className="rounded bg-slate-800 px-2.5 py-1 text-xs font-medium text-white hover:bg-slate-700" data-testid="conns-load">
          {requested ? t("refresh") : t("load")}
        </button>
        {q.isFetching && <span className="text-xs text-slate-400">{t("loading")}</span>}
      </form>
      {!requested && <p className="px-3 py-3 text-xs text-slate-500">{t("hint")}</p>}
      {q.isError && <p className="px-3 py-3 text-xs text-red-600" data-testid="conns-error">{q.error.message}</p>}
      {q.data?.error && <p className="px-3 py-3 text-xs text-red-600" data-testid="conns-error">{q.data.error}</p>}
      {q.data && (
        <>
          <pre className="max-h-[28rem] overflow-auto px-3 py-2 font-mono text-xs leading-5 text-slate-800" data-testid="conns-listing">
            <div className="text-slate-500">{"pro expire state       source                 virtual                destination"}</div>
            {entries.map((e, i) => (
              <div key={`${offset + i}`} data-testid="conns-row" data-client={endpoint(e.client)} data-virtual={endpoint(e.virtual)} data-destination={endpoint(e.destination)}>
                {`${e.protocol.toUpperCase().padEnd(3)} ${expireText(e.expiresIn).padStart(6)} ${e.state.padEnd(11)} ${endpoint(e.client).padEnd(22)} ${endpoint(e.virtual).padEnd(22)} ${endpoint(e.destination)}`}
              </div>
            ))}
            {entries.length === 0 && <div className="text-slate-500" data-testid="conns-empty">{t("empty")}</div>}
          </pre>
          <div className="flex items-center gap-2 border-t border-slate-200 px-3 py-1.5 text-xs text-slate-600">
            <span data-testid="conns-range">{t("range", { from: total === 0 ? 0 : offset + 1, to: offset + entries.length, total })}</span>
            <button type="button" className="ml-auto rounded border border-slate-300 px-2 py-0.5 disabled:opacity-40" data-testid="conns-prev" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              {t("prev")}
            </button>
            <button type="button" className="rounded border border-slate-300 px-2 py-0.5 disabled:opacity-40" data-testid="conns-next" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
              {t("next")}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
