/**
 * Candles and volume (lightweight-charts 5, attribution kept) for 1m to 1d, times in the user's time
 * zone, and the user's open orders as price lines.
 */
import { lazy, Suspense, useState } from "react";
import { StatusMessage, Tabs } from "../../components/ui";
import { useI18n, type MessageKey } from "../../i18n";
import { CANDLE_INTERVALS, type CandleInterval, type Market } from "../../lib/api-types";
import { errorText } from "../../lib/errors";
import type { ChartPriceLine } from "./price-lines";
import { useCandles } from "./use-candles";
import "./price-chart.css";

// lightweight-charts is a third of the script: loading it after the page lets the book show first.
const CandleChart = lazy(() => import("./candle-chart").then((module) => ({ default: module.CandleChart })));

const INTERVAL_KEYS: Record<CandleInterval, MessageKey> = {
  "1m": "chart.interval.1m",
  "5m": "chart.interval.5m",
  "15m": "chart.interval.15m",
  "1h": "chart.interval.1h",
  "4h": "chart.interval.4h",
  "1d": "chart.interval.1d",
};

interface PriceChartProps {
  market: Market;
  openOrders: readonly ChartPriceLine[];
}

export function PriceChart({ market, openOrders }: PriceChartProps) {
  const { t } = useI18n();
  const [interval, selectInterval] = useState<CandleInterval>("1m");
  const { data: candles, error, isPending, refetch } = useCandles(market.name, interval);

  let overlay = null;
  if (error)
    overlay = (
      <StatusMessage kind="error" action={{ label: t("common.retry"), onClick: () => void refetch() }}>
        {errorText(error, t)}
      </StatusMessage>
    );
  else if (isPending) overlay = <StatusMessage kind="loading">{t("chart.loading")}</StatusMessage>;
  else if (candles && candles.length === 0) overlay = <StatusMessage kind="empty">{t("chart.empty")}</StatusMessage>;

  return (
    <section className="panel price-chart" aria-label={t("chart.title", { market: market.name })}>
      <Tabs<CandleInterval>
        label={t("chart.intervals")}
        tabs={CANDLE_INTERVALS.map((id) => ({ id, label: t(INTERVAL_KEYS[id]) }))}
        selected={interval}
        onSelect={selectInterval}
      >
        <div className="price-chart__body">
          <Suspense fallback={null}>
            <CandleChart market={market} interval={interval} candles={candles ?? []} openOrders={openOrders} />
          </Suspense>
          {overlay ? <div className="price-chart__overlay">{overlay}</div> : null}
        </div>
      </Tabs>
    </section>
  );
}
