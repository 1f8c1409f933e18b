/**
 * The staff statistics as the back office shows them: the staff API's tables (GET /v1/staff/stats/<table>,
 * amounts as decimal strings) shaped into plot series, funnel shares, cohort percentages, exact totals, and
 * the CSV export links of a date range. Pure: tested without a browser.
 */
import { dayTime, type DailySeries as Series } from "../../components/ui";
import { unitsToNumber } from "../../lib/format";

export interface UserDay {
  day: string;
  newWallets: number;
  dau: number;
  wau: number;
  mau: number;
  connected: number;
  signedIn: number;
  deposited: number;
  traded: number;
}

export interface FunnelStep {
  /** "seen": every wallet first seen in the range, the funnel's whole. */
  step: "seen" | "connected" | "signed_in" | "deposited" | "traded";
  wallets: number;
}

export interface CohortRow {
  week: string;
  size: number;
  retained: number[];
}

export interface FeeRow {
  day: string;
  market: string;
  token: string;
  symbol: string;
  decimals: number;
  makerFee: string;
  takerFee: string;
  total: string;
}

export interface TokenDay {
  day: string;
  token: string;
  /** null for a token no market lists (deposited anyway): its amounts are shown in base units. */
  symbol: string | null;
  decimals: number | null;
  deposits: number;
  depositAmount: string;
  withdrawals: number;
  withdrawalAmount: string;
  netFlow: string;
  valueLocked: string | null;
}


export interface DateRange {
  from: string;
  to: string;
}

export const STAFF_TABLES = ["users", "funnel", "cohorts", "fees", "tokens", "markets", "volume"] as const;
export type StaffTable = (typeof STAFF_TABLES)[number];

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The last `days` UTC days up to the day of `nowMs`. */
export function lastDays(days: number, nowMs: number): DateRange {
  return { from: new Date(nowMs - (days - 1) * DAY_MS).toISOString().slice(0, 10), to: new Date(nowMs).toISOString().slice(0, 10) };
}

/** The most days a range may span, first and last included (backend/stats/days.py MAX_RANGE_DAYS). */
export const MAX_RANGE_DAYS = 731;

/** What is wrong with a range before it is sent ("order": from after to; "span": more than MAX_RANGE_DAYS days, which
 *  the server refuses in English words and whose export links would save an error), or null. */
export function rangeProblem(range: DateRange): "date" | "order" | "span" | null {
  if (!DATE.test(range.from) || !DATE.test(range.to) || Number.isNaN(dayTime(range.from)) || Number.isNaN(dayTime(range.to))) return "date";
  if (range.from > range.to) return "order";
  return (dayTime(range.to) - dayTime(range.from)) / 86_400 + 1 > MAX_RANGE_DAYS ? "span" : null;
}

/** The CSV download of a table for a range (the browser sends the staff cookie; the server audit-logs it). */
export function csvLink(table: StaffTable, range: DateRange): string {
  const query = new URLSearchParams({ from: range.from, to: range.to, format: "csv" });
  return `/v1/staff/stats/${table}?${query.toString()}`;
}

/** DAU, WAU and MAU as three series (names given by the caller, in the user's language). */
export function activeSeries(rows: readonly UserDay[], names: { dau: string; wau: string; mau: string }): Series[] {
  const keys = ["dau", "wau", "mau"] as const;
  return keys.map((key) => ({ name: names[key], points: rows.map((row) => ({ time: dayTime(row.day), value: row[key] })) }));
}

/** Each funnel step with its share of the first step, the wallets seen (0 when there were none). */
export function funnelShares(steps: readonly FunnelStep[]): (FunnelStep & { share: number })[] {
  const first = steps[0]?.wallets ?? 0;
  return steps.map((step) => ({ ...step, share: first > 0 ? step.wallets / first : 0 }));
}

/** A cohort's retention per week as fractions of its size. */
export function retentionShares(cohort: CohortRow): number[] {
  return cohort.retained.map((count) => (cohort.size > 0 ? count / cohort.size : 0));
}

/** The number of week columns the cohort table needs. */
export function weekColumns(cohorts: readonly CohortRow[]): number {
  return cohorts.reduce((most, cohort) => Math.max(most, cohort.retained.length), 0);
}

/** Fee revenue per day, one series per fee token (in tokens, for the plot only). */
export function feeSeries(rows: readonly FeeRow[]): Series[] {
  const tokens = new Map<string, Map<number, number>>();
  for (const row of rows) {
    const days = tokens.get(row.symbol) ?? new Map<number, number>();
    const time = dayTime(row.day);
    days.set(time, (days.get(time) ?? 0) + unitsToNumber(row.total, row.decimals));
    tokens.set(row.symbol, days);
  }
  return [...tokens.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, days]) => ({ name, points: [...days.entries()].sort(([a], [b]) => a - b).map(([time, value]) => ({ time, value })) }));
}

/** Exact fee totals per token over the rows (base units). */
export function feeTotals(rows: readonly FeeRow[]): { symbol: string; decimals: number; total: bigint }[] {
  const totals = new Map<string, { symbol: string; decimals: number; total: bigint }>();
  for (const row of rows) {
    const entry = totals.get(row.token) ?? { symbol: row.symbol, decimals: row.decimals, total: 0n };
    entry.total += BigInt(row.total);
    totals.set(row.token, entry);
  }
  return [...totals.values()].sort((a, b) => a.symbol.localeCompare(b.symbol));
}
