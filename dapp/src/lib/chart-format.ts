/**
 * How the plots of values per UTC day label their axes: counts as whole numbers, amounts with the locale's
 * grouping, days as dates in UTC (a day's statistics are a UTC day's, wherever the reader is). The values are
 * numbers for drawing only; the tables beside the plots carry the exact amounts.
 */

/** What a plotted series counts: whole things (trades, wallets), or an amount of a token. */
export type PlottedValue = "count" | "amount";

/** Amounts are drawn to a hundredth: finer steps only crowd the axis. */
const AMOUNT_STEP = 0.01;

/** The price format lightweight-charts is given for a series of `value`s: the axis steps (a count's by whole
 * numbers, never 4.95 / 5.05) and the label of each value in `locale`'s words. */
export function valueFormat(value: PlottedValue, locale: string): { type: "custom"; minMove: number; formatter: (n: number) => string } {
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: value === "count" ? 0 : 2 });
  return { type: "custom", minMove: value === "count" ? 1 : AMOUNT_STEP, formatter: (n) => number.format(n) };
}

/** The kinds of time-axis mark a daily plot gets (lightweight-charts' TickMarkType: Year 0, Month 1, DayOfMonth 2;
 * a daily plot has no time of day). */
export type DayMark = "year" | "month" | "day";

/** Labels for the time axis of a daily plot ("Dec 1", "Dec", "2026" in English), and the crosshair's full date. */
export function dayLabels(locale: string): { mark: (seconds: number, mark: DayMark) => string; full: (seconds: number) => string } {
  const at = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" });
  const marks: Record<DayMark, Intl.DateTimeFormat> = {
    year: at({ year: "numeric" }),
    month: at({ month: "short" }),
    day: at({ month: "short", day: "numeric" }),
  };
  const full = at({ dateStyle: "medium" });
  return { mark: (seconds, mark) => marks[mark].format(seconds * 1000), full: (seconds) => full.format(seconds * 1000) };
}
