/**
 * The market risk form, checked in words before a request: bands and thresholds in basis points (whole
 * numbers, 0 to 10,000, 0 turning the check off; the alert threshold below the breaker's, the feed's alert
 * below its halt), windows in seconds, and the market's limits in token units (bigint, never floats). Only
 * the fields changed are sent; an emptied one goes back to the exchange's default (null in the PUT). The
 * server checks again (INVALID_RISK_SETTING).
 */
import type { MessageKey } from "../../i18n";
import type { Market, MarketRisk } from "../../lib/api-types";
import { formatUnits, parseUnits } from "../../lib/format";
import { reasonProblem, type Problem } from "./forms";
import type { RiskSettingsChange } from "./staff-types";

export const BPS_FIELDS = ["bandBps", "breakerBps", "alertBps", "feedAlertBps", "feedHaltBps"] as const;
export const SECONDS_FIELDS = ["windowS", "cooldownS"] as const;
export const AMOUNT_FIELDS = ["maxOrderBase", "maxOrderNotional", "maxOpenNotional"] as const;
export type RiskField = (typeof BPS_FIELDS)[number] | (typeof SECONDS_FIELDS)[number] | (typeof AMOUNT_FIELDS)[number];
export const RISK_FIELDS: readonly RiskField[] = [...BPS_FIELDS, ...SECONDS_FIELDS, ...AMOUNT_FIELDS];

export const RISK_FIELD_NAMES: Record<RiskField, MessageKey> = {
  bandBps: "backoffice.risk.bandBps",
  breakerBps: "backoffice.risk.breakerBps",
  alertBps: "backoffice.risk.alertBps",
  feedAlertBps: "backoffice.risk.feedAlertBps",
  feedHaltBps: "backoffice.risk.feedHaltBps",
  windowS: "backoffice.risk.windowS",
  cooldownS: "backoffice.risk.cooldownS",
  maxOrderBase: "backoffice.risk.maxOrderBase",
  maxOrderNotional: "backoffice.risk.maxOrderNotional",
  maxOpenNotional: "backoffice.risk.maxOpenNotional",
};

export const MAX_BPS = 10_000;
export const MAX_SECONDS = 86_400;

export type RiskForm = Record<RiskField, string> & { reason: string };
export type RiskProblems = Partial<Record<RiskField | "reason" | "form", Problem>>;

/** The token an amount field is counted in: the base token's for order size, the quote token's for notionals. */
export function amountToken(field: (typeof AMOUNT_FIELDS)[number], market: Pick<Market, "baseToken" | "quoteToken">) {
  return field === "maxOrderBase" ? market.baseToken : market.quoteToken;
}

function isAmountField(field: RiskField): field is (typeof AMOUNT_FIELDS)[number] {
  return (AMOUNT_FIELDS as readonly string[]).includes(field);
}

/** The form as it starts: the market's current settings in human units ("" where there is none). */
export function riskForm(settings: Partial<MarketRisk>, market: Pick<Market, "baseToken" | "quoteToken">): RiskForm {
  const form = { reason: "" } as RiskForm;
  for (const field of RISK_FIELDS) {
    const value = settings[field];
    if (value === null || value === undefined) form[field] = "";
    else if (isAmountField(field)) form[field] = formatUnits(String(value), amountToken(field, market).decimals, { locale: "en-US" }).replace(/,/g, "");
    else form[field] = String(value);
  }
  return form;
}

function wholeNumber(text: string, min: number, max: number, tooBig: MessageKey): { value: number } | { problem: Problem } {
  if (!/^\d+$/.test(text)) return { problem: { key: "backoffice.risk.wholeNumber" } };
  const value = Number(text);
  if (value < min) return { problem: { key: "backoffice.risk.atLeastOne" } };
  if (value > max) return { problem: { key: tooBig, params: { max: max.toLocaleString("en-US") } } };
  return { value };
}

export type RiskResult = { ok: true; body: RiskSettingsChange & { reason: string } } | { ok: false; problems: RiskProblems };

/**
 * The PUT body (the fields changed from `initial`, null for the default, and the reason), or what is wrong
 * with each field, in words. The pairs of thresholds are checked on what the form shows, changed or not.
 */
export function riskBody(form: RiskForm, market: Pick<Market, "baseToken" | "quoteToken">, initial: RiskForm): RiskResult {
  const problems: RiskProblems = {};
  const body: Record<string, number | string | null> = {};
  for (const field of RISK_FIELDS) {
    const text = form[field].trim();
    if (text === "") {
      body[field] = null;
      continue;
    }
    if (isAmountField(field)) {
      const { decimals } = amountToken(field, market);
      const parsed = parseUnits(text, decimals);
      if (!parsed.ok)
        problems[field] = parsed.reason === "precision" ? { key: "backoffice.error.tooPrecise", params: { decimals } } : { key: "backoffice.risk.amount" };
      else if (parsed.value <= 0n) problems[field] = { key: "backoffice.risk.positive" };
      else body[field] = parsed.value.toString();
      continue;
    }
    const seconds = (SECONDS_FIELDS as readonly string[]).includes(field);
    const checked = seconds
      ? wholeNumber(text, 1, MAX_SECONDS, "backoffice.risk.tooManySeconds")
      : wholeNumber(text, 0, MAX_BPS, "backoffice.risk.tooManyBps");
    if ("problem" in checked) problems[field] = checked.problem;
    else body[field] = checked.value;
  }
  const below = (low: RiskField, high: RiskField, key: MessageKey) => {
    const a = body[low];
    const b = body[high];
    // 0 is off: an alert without a breaker (or the reverse) is fine
    if (typeof a === "number" && typeof b === "number" && a > 0 && b > 0 && a >= b && !problems[low]) problems[low] = { key };
  };
  below("alertBps", "breakerBps", "backoffice.risk.alertBelowBreaker");
  below("feedAlertBps", "feedHaltBps", "backoffice.risk.feedAlertBelowHalt");
  const reason = reasonProblem(form.reason);
  if (reason) problems.reason = reason;
  const changed = RISK_FIELDS.filter((field) => form[field].trim() !== initial[field].trim());
  if (changed.length === 0) problems.form = { key: "backoffice.risk.nothingChanged" };
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  const change: Record<string, number | string | null> = {};
  for (const field of changed) change[field] = body[field] ?? null;
  return { ok: true, body: { ...(change as RiskSettingsChange), reason: form.reason.trim() } };
}

/** Time left until `until` as "1 h 05 min", "4 min 10 s", "12 s" (never negative). */
export function timeLeft(until: number, now: number): string {
  const total = Math.max(0, Math.ceil((until - now) / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, "0")} min`;
  if (minutes > 0) return `${minutes} min ${String(seconds).padStart(2, "0")} s`;
  return `${seconds} s`;
}
