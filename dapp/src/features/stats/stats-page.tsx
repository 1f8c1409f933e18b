/**
 * The public statistics page (`/stats`): for the last 7, 30 or 90 UTC days, the daily volume per market (a
 * histogram) and the trades per day (a line), each a named figure with its numbers also in a table, the
 * period's totals per quote token, and the per-market, per-day table (CSV export of its rows).
 */
import "./messages";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useState } from "react";
import { DailyChart, DataTable, StatusMessage, Tabs, dayTime, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import { errorText } from "../../lib/errors";
import { loadError } from "../../lib/query-client";
import { statsApi } from "./stats-api";
import { newestFirst, PERIODS, rangeOf, totalsByQuote, tradesPerDay, utcDay, volumeSeries, type MarketDay, type Period } from "./stats-data";
import "./stats.css";

const REFRESH_MS = 60_000;

/** Calls `onDay` with the UTC day each time it changes, looking every `everyMs`; returns what stops it. */
export function watchUtcDay(onDay: (day: string) => void, everyMs: number): () => void {
  let day = utcDay(Date.now());
  const timer = setInterval(() => {
    const now = utcDay(Date.now());
    if (now !== day) onDay((day = now));
  }, everyMs);
  return () => clearInterval(timer);
}

export default function StatsPage() {
  const { t, formatUnits } = useI18n();
  const ids = useId();
  const [period, setPeriod] = useState<Period>(30);
  // The range ends today: a page left open past UTC midnight moves on to the new day at its next refresh.
  const [today, setToday] = useState(() => utcDay(Date.now()));
  useEffect(() => watchUtcDay(setToday, REFRESH_MS), []);
  const range = useMemo(() => rangeOf(period, dayTime(today) * 1000), [period, today]);
  const markets = useQuery({ queryKey: ["stats", "markets", range], queryFn: () => statsApi.markets(range), refetchInterval: REFRESH_MS });
  const volume = useQuery({ queryKey: ["stats", "volume", range], queryFn: () => statsApi.volume(range), refetchInterval: REFRESH_MS });
  const rows = markets.data?.days;
  const volumes = useMemo(() => volumeSeries(rows ?? []), [rows]);
  const trades = useMemo(() => [{ name: t("stats.trades"), points: tradesPerDay(rows ?? []) }], [rows, t]);
  const noTrades = rows ? t("stats.empty") : undefined; // once the days are read: not while they load
  const totals = totalsByQuote(volume.data?.days ?? []);

  const columns: Column<MarketDay>[] = [
    { id: "day", header: t("stats.day"), cell: (r) => r.day, csv: (r) => r.day },
    { id: "market", header: t("stats.market"), cell: (r) => r.market, csv: (r) => r.market },
    { id: "trades", header: t("stats.trades"), cell: (r) => r.trades, csv: (r) => String(r.trades), align: "end" },
    { id: "traders", header: t("stats.traders"), cell: (r) => r.traders, csv: (r) => String(r.traders), align: "end" },
    {
      id: "base",
      header: t("stats.baseVolume"),
      cell: (r) => `${formatUnits(r.baseVolume, r.baseDecimals, { maxFractionDigits: 4 })} ${r.base}`,
      csv: (r) => r.baseVolume,
      align: "end",
    },
    {
      id: "quote",
      header: t("stats.quoteVolume"),
      cell: (r) => `${formatUnits(r.quoteVolume, r.quoteDecimals, { maxFractionDigits: 2 })} ${r.quote}`,
      csv: (r) => r.quoteVolume,
      align: "end",
    },
    {
      id: "takerBuy",
      header: t("stats.takerBuy"),
      cell: (r) => `${formatUnits(r.takerBuyBase, r.baseDecimals, { maxFractionDigits: 4 })} ${r.base}`,
      csv: (r) => r.takerBuyBase,
      align: "end",
    },
    {
      id: "takerSell",
      header: t("stats.takerSell"),
      cell: (r) => `${formatUnits(r.takerSellBase, r.baseDecimals, { maxFractionDigits: 4 })} ${r.base}`,
      csv: (r) => r.takerSellBase,
      align: "end",
    },
  ];

  const error = loadError(markets) ?? loadError(volume); // a failed poll keeps the figures shown, as elsewhere
  return (
    <section className="stats-page" aria-labelledby={`${ids}-title`}>
      <h1 id={`${ids}-title`}>{t("stats.title")}</h1>
      <p className="stats-page__intro">{t("stats.intro")}</p>
      <Tabs
        label={t("stats.period")}
        tabs={PERIODS.map((days) => ({ id: String(days) as `${Period}`, label: t("stats.lastDays", { days }) }))}
        selected={String(period) as `${Period}`}
        onSelect={(id) => setPeriod(Number(id) as Period)}
        className="stats-page__period"
      >
        {/* the period's figures are the tab panel: without one, each tab's aria-controls named no element */}
        {error ? (
          <StatusMessage
            kind="error"
            action={{
              label: t("common.retry"),
              onClick: () => {
                void markets.refetch();
                void volume.refetch();
              },
            }}
          >
            {errorText(error, t)}
          </StatusMessage>
        ) : null}
        <ul className="stats-page__totals" aria-label={t("stats.totals", { days: period })}>
          {totals.map((total) => (
            <li key={total.quote}>
              <span className="stats-page__figure">{`${formatUnits(total.volume, total.decimals, { maxFractionDigits: 2 })} ${total.quote}`}</span>
              <span className="stats-page__caption">{t(total.trades === 1 ? "stats.volumeInOne" : "stats.volumeIn", { quote: total.quote, trades: total.trades })}</span>
            </li>
          ))}
        </ul>
        <div className="stats-page__plots">
          <section aria-labelledby={`${ids}-volume`}>
            <h2 id={`${ids}-volume`}>{t("stats.dailyVolume")}</h2>
            <DailyChart label={t("stats.dailyVolume")} series={volumes} kind="histogram" empty={noTrades} />
          </section>
          <section aria-labelledby={`${ids}-trades`}>
            <h2 id={`${ids}-trades`}>{t("stats.tradesPerDay")}</h2>
            <DailyChart label={t("stats.tradesPerDay")} series={trades} kind="line" values="count" empty={noTrades} />
          </section>
        </div>
        <h2>{t("stats.table")}</h2>
        <DataTable
          label={t("stats.table")}
          columns={columns}
          rows={rows ? newestFirst(rows) : undefined}
          rowKey={(r) => `${r.day}|${r.market}`}
          loading={markets.isPending}
          empty={t("stats.empty")}
          csvFileName={`hdex-markets-${range.from}-${range.to}.csv`}
        />
      </Tabs>
    </section>
  );
}
