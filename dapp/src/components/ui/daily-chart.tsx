/**
 * A plot of values per UTC day (lightweight-charts 5): histograms or lines, one per series, inside a figure
 * with an accessible name. The caller renders the same numbers as a table next to it (the text fallback).
 * The public statistics page and the back office's statistics both draw with it.
 */
import { ColorType, createChart, HistogramSeries, LineSeries, TickMarkType, type IChartApi, type UTCTimestamp } from "lightweight-charts";
import { useEffect, useRef } from "react";
import { useI18n } from "../../i18n";
import { dayLabels, valueFormat, type DayMark, type PlottedValue } from "../../lib/chart-format";
import "./daily-chart.css";
import { StatusMessage } from "./status-message";

export interface DailyPoint {
  /** UTC midnight of the day, seconds (lightweight-charts' time): `dayTime("2026-12-01")`. */
  time: number;
  value: number;
}

export interface DailySeries {
  name: string;
  points: DailyPoint[];
}

/** lightweight-charts' time of a UTC day (`YYYY-MM-DD`): its midnight in seconds. */
export function dayTime(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / 1000;
}

const PALETTE = ["#4c8dff", "#2ebd85", "#f0b90b", "#f0616d", "#a77bff", "#3fc1c9"];

/** A daily plot's time marks: days, months and years (it has no time of day, so anything finer is a day). */
function dayMark(type: TickMarkType): DayMark {
  if (type === TickMarkType.Year) return "year";
  return type === TickMarkType.Month ? "month" : "day";
}

interface DailyChartProps {
  /** The figure's accessible name ("Daily volume"). */
  label: string;
  series: readonly DailySeries[];
  kind: "histogram" | "line";
  /** What the values are: whole counts (trades, wallets) or amounts (the default). */
  values?: PlottedValue;
  height?: number;
  /** Said over the plot when no series has a point ("No trades in this period"): an empty frame says nothing. */
  empty?: string;
}

export function DailyChart({ label, series, kind, values = "amount", height = 240, empty }: DailyChartProps) {
  const { locale } = useI18n();
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    const days = dayLabels(locale);
    const created = createChart(element, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: "#121722" }, textColor: "#9aa4b5", attributionLogo: true },
      grid: { vertLines: { color: "#1b2231" }, horzLines: { color: "#1b2231" } },
      rightPriceScale: { borderColor: "#263042" },
      timeScale: {
        borderColor: "#263042",
        timeVisible: false,
        tickMarkFormatter: (time: unknown, type: TickMarkType) => days.mark(time as number, dayMark(type)),
      },
      localization: { locale, timeFormatter: (time: unknown) => days.full(time as number) },
    });
    chart.current = created;
    return () => {
      chart.current = null;
      created.remove();
    };
  }, [locale]);

  useEffect(() => {
    const current = chart.current;
    if (!current) return undefined;
    const priceFormat = valueFormat(values, locale);
    const added = series.map((one, index) => {
      const color = PALETTE[index % PALETTE.length] as string;
      const drawn =
        kind === "histogram"
          ? current.addSeries(HistogramSeries, { color, priceLineVisible: false, title: one.name, priceFormat })
          : current.addSeries(LineSeries, { color, lineWidth: 2, priceLineVisible: false, title: one.name, priceFormat });
      drawn.setData(one.points.map((point) => ({ time: point.time as UTCTimestamp, value: point.value })));
      return drawn;
    });
    current.timeScale().fitContent();
    return () => {
      if (chart.current !== current) return; // the chart itself is gone (a new locale): nothing to take off
      for (const drawn of added) current.removeSeries(drawn);
    };
  }, [series, kind, values, locale]);

  return (
    <figure className="daily-chart" aria-label={label}>
      <div className="daily-chart__plot">
        <div ref={container} className="daily-chart__canvas" style={{ height }} />
        {empty && series.every((one) => one.points.length === 0) ? (
          <div className="daily-chart__overlay">
            <StatusMessage kind="empty">{empty}</StatusMessage>
          </div>
        ) : null}
      </div>
      <figcaption className="daily-chart__legend">
        {series.map((one, index) => (
          <span key={one.name} className="daily-chart__key">
            <span className="daily-chart__swatch" style={{ background: PALETTE[index % PALETTE.length] }} aria-hidden="true" />
            {one.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
