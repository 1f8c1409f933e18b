/** The imperative lightweight-charts instance behind PriceChart: created once, fed incrementally. */
import {
  CandlestickSeries,
  ColorType,
  createChart,
  HistogramSeries,
  LineStyle,
  TickMarkType,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  type UTCTimestamp,
} from "lightweight-charts";
import { useEffect, useRef } from "react";
import { useI18n } from "../../i18n";
import type { Candle, CandleInterval, Market } from "../../lib/api-types";
import { unitsToNumber } from "../../lib/format";
import { formatBaseAmount, priceDecimals, tickDecimals } from "../../lib/market";
import { INTERVAL_MS, toBars } from "./candles";
import type { ChartPriceLine } from "./price-lines";

const UP = "#2ebd85";
const DOWN = "#f0616d";

interface CandleChartProps {
  market: Market;
  interval: CandleInterval;
  candles: readonly Candle[];
  openOrders: readonly ChartPriceLine[];
}

interface Handles {
  chart: IChartApi;
  candles: ISeriesApi<"Candlestick">;
  volume: ISeriesApi<"Histogram">;
}

export function CandleChart({ market, interval, candles, openOrders }: CandleChartProps) {
  const { t, locale, timeZone } = useI18n();
  const container = useRef<HTMLDivElement>(null);
  const handles = useRef<Handles | null>(null);
  const drawn = useRef<{ key: string; first: number | null; last: number | null; length: number }>({ key: "", first: null, last: null, length: 0 });
  const lines = useRef<IPriceLine[]>([]);

  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    const chart = createChart(element, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: "#121722" },
        textColor: "#9aa4b5",
        attributionLogo: true, // lightweight-charts' licence asks for the TradingView attribution
      },
      grid: { vertLines: { color: "#1b2231" }, horzLines: { color: "#1b2231" } },
      rightPriceScale: { borderColor: "#263042" },
      timeScale: { borderColor: "#263042", timeVisible: true, secondsVisible: false },
    });
    const candleSeries = chart.addSeries(CandlestickSeries, {
      upColor: UP,
      downColor: DOWN,
      wickUpColor: UP,
      wickDownColor: DOWN,
      borderVisible: false,
    });
    const volume = chart.addSeries(HistogramSeries, { priceScaleId: "volume", priceFormat: { type: "volume" }, lastValueVisible: false, priceLineVisible: false });
    chart.priceScale("volume").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    handles.current = { chart, candles: candleSeries, volume };
    return () => {
      handles.current = null;
      drawn.current = { key: "", first: null, last: null, length: 0 };
      lines.current = [];
      chart.remove();
    };
  }, []);

  // Prices with the tick's digits; times in the user's zone and language.
  useEffect(() => {
    const current = handles.current;
    if (!current) return;
    const digits = tickDecimals(market);
    const number = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
    const at = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { ...options, timeZone });
    const full = at({ dateStyle: "medium", timeStyle: "short" });
    const marks: Record<TickMarkType, Intl.DateTimeFormat> = {
      [TickMarkType.Year]: at({ year: "numeric" }),
      [TickMarkType.Month]: at({ month: "short" }),
      [TickMarkType.DayOfMonth]: at({ month: "short", day: "numeric" }),
      [TickMarkType.Time]: at({ hour: "numeric", minute: "2-digit" }),
      [TickMarkType.TimeWithSeconds]: at({ hour: "numeric", minute: "2-digit", second: "2-digit" }),
    };
    current.chart.applyOptions({
      localization: {
        locale,
        priceFormatter: (price: number) => number.format(price),
        timeFormatter: (time: unknown) => full.format((time as number) * 1000),
      },
      timeScale: { tickMarkFormatter: (time: unknown, type: TickMarkType) => marks[type].format((time as number) * 1000) },
    });
    current.candles.applyOptions({
      priceFormat: { type: "price", precision: digits, minMove: unitsToNumber(market.tickSize, priceDecimals(market)) },
    });
  }, [market, locale, timeZone]);

  // Data: a new market or interval (or a refetch) redraws; a live candle updates the last bar only, and a new one
  // is added as the last bar when it follows the last without an empty interval between (else the gaps are redrawn).
  useEffect(() => {
    const current = handles.current;
    if (!current) return;
    const key = `${market.name}|${interval}`;
    const { bars, volumes } = toBars(candles, market);
    const volumeBars = volumes.map((v) =>
      "value" in v ? { time: v.time as UTCTimestamp, value: v.value, color: v.rising ? "rgba(46,189,133,0.45)" : "rgba(240,97,109,0.45)" } : { time: v.time as UTCTimestamp },
    );
    const previous = drawn.current;
    const first = candles[0]?.start ?? null;
    const last = candles[candles.length - 1]?.start ?? null;
    const sameLast = candles.length === previous.length && last === previous.last;
    const nextLast = candles.length === previous.length + 1 && previous.last !== null && last === previous.last + INTERVAL_MS[interval];
    const incremental = previous.key === key && previous.first === first && (sameLast || nextLast) && candles.length > 0;
    if (incremental) {
      const bar = bars[bars.length - 1];
      const volumeBar = volumeBars[volumeBars.length - 1];
      if (bar && volumeBar) {
        current.candles.update({ ...bar, time: bar.time as UTCTimestamp });
        current.volume.update(volumeBar);
      }
    } else {
      current.candles.setData(bars.map((bar) => ({ ...bar, time: bar.time as UTCTimestamp })));
      current.volume.setData(volumeBars);
      if (previous.key !== key) current.chart.timeScale().fitContent();
    }
    drawn.current = { key, first, last, length: candles.length };
  }, [candles, market, interval]);

  // The user's open orders as dashed price lines.
  useEffect(() => {
    const current = handles.current;
    if (!current) return;
    for (const line of lines.current) current.candles.removePriceLine(line);
    const decimals = priceDecimals(market);
    lines.current = openOrders.map((order) =>
      current.candles.createPriceLine({
        price: unitsToNumber(order.price, decimals),
        color: order.side === "buy" ? UP : DOWN,
        lineStyle: LineStyle.Dashed,
        lineWidth: 1,
        axisLabelVisible: true,
        title: t(order.side === "buy" ? "chart.orderBuy" : "chart.orderSell", { amount: formatBaseAmount(order.remaining, market, locale) }),
      }),
    );
  }, [openOrders, market, locale, t]);

  return <div ref={container} className="price-chart__canvas" />;
}
