/**
 * Base-unit integers (decimal strings, bigint) to human text and back. Money never becomes a float:
 * digits are split with bigint arithmetic and only the grouping and decimal separators come from the
 * locale (Intl formats bigint integers exactly).
 */

export interface UnitsFormat {
  locale: string;
  /** At most this many fraction digits (rounded as `roundingMode` says); default: all of `decimals`. */
  maxFractionDigits?: number;
  /** How digits beyond `maxFractionDigits` round, in Intl's words: "halfExpand" (half away from zero, the
   *  default) or "trunc" (toward zero: for an amount someone can spend, never shown as more than there is). */
  roundingMode?: "halfExpand" | "trunc";
  /** At least this many fraction digits (zero padded); default 0. */
  minFractionDigits?: number;
  /** Prefix positive values with "+" (24h change, pnl). */
  signed?: boolean;
}

const TEN = 10n;

export function pow10(exponent: number): bigint {
  return TEN ** BigInt(exponent);
}

/** The locale's grouping and decimal separators ("," and "." in English). */
function separators(locale: string): { group: string; decimal: string } {
  const parts = new Intl.NumberFormat(locale).formatToParts(12_345.6);
  return {
    group: parts.find((p) => p.type === "group")?.value ?? ",",
    decimal: parts.find((p) => p.type === "decimal")?.value ?? ".",
  };
}

function decimalSeparator(locale: string): string {
  return separators(locale).decimal;
}

/** `value` (base units) / 10^decimals as locale text, e.g. ("1234500000", 6, en) -> "1,234.5". */
export function formatUnits(value: bigint | string, decimals: number, format: UnitsFormat): string {
  const raw = typeof value === "bigint" ? value : BigInt(value);
  const negative = raw < 0n;
  let abs = negative ? -raw : raw;
  const maxDigits = Math.min(format.maxFractionDigits ?? decimals, decimals);
  const minDigits = Math.min(format.minFractionDigits ?? 0, maxDigits);
  if (maxDigits < decimals) {
    const drop = pow10(decimals - maxDigits);
    const carry = format.roundingMode === "trunc" ? 0n : drop / 2n;
    abs = ((abs + carry) / drop) * drop; // on the magnitude: away from or toward zero alike for both signs
  }
  const scale = pow10(decimals);
  const integer = abs / scale;
  let fraction = (abs % scale).toString().padStart(decimals, "0").slice(0, maxDigits);
  fraction = fraction.replace(/0+$/, "");
  if (fraction.length < minDigits) fraction = fraction.padEnd(minDigits, "0");
  const grouped = new Intl.NumberFormat(format.locale, { useGrouping: true }).format(integer);
  const body = fraction ? `${grouped}${decimalSeparator(format.locale)}${fraction}` : grouped;
  if (negative && abs !== 0n) return `-${body}`;
  return format.signed && abs !== 0n ? `+${body}` : body;
}

export type ParsedUnits = { ok: true; value: bigint } | { ok: false; reason: "invalid" | "precision" | "grouping" };

/** Marks a grouping separator while a typed number is read (no one types it). */
const GROUP = "\u0000";

/**
 * `text` with `locale`'s separators made plain ("2,000.50" -> "2000.50" in English), as the app shows numbers and
 * so people copy them; null when a grouping separator is misplaced ("1,5", "20,00", "1.000,5" in English): a number
 * that reads two ways is refused, never guessed. Text with other characters is returned as it is, to be refused.
 */
function ungrouped(text: string, locale: string): string | null {
  const { group, decimal } = separators(locale);
  // a space-like separator (French, for one) may be typed as any space
  const marked = (group.trim() === "" ? text.replace(/[\s\u202f\u00a0]/g, GROUP) : text.split(group).join(GROUP));
  const [whole = "", fraction, ...more] = marked.split(decimal);
  if (more.length > 0 || !/^[\d\u0000]*$/.test(whole) || (fraction !== undefined && !/^[\d\u0000]*$/.test(fraction))) return text;
  if (fraction?.includes(GROUP)) return null;
  if (whole.includes(GROUP) && !/^\d{1,3}(\u0000\d{3})+$/.test(whole)) return null;
  return whole.split(GROUP).join("") + (fraction === undefined ? "" : `.${fraction}`);
}

/**
 * Human text typed by a user ("1234.5", "0.001", ".5") to base units, exactly (no float on the way). With a
 * `locale`, its grouping separators are accepted where they belong ("1,234.5" in English) and a misplaced one
 * is a `grouping` error; without, only digits and one "." are. More fraction digits than `decimals` is a
 * `precision` error rather than a silent rounding.
 */
export function parseUnits(text: string, decimals: number, locale?: string): ParsedUnits {
  const trimmed = locale === undefined ? text.trim() : ungrouped(text.trim(), locale);
  if (trimmed === null) return { ok: false, reason: "grouping" };
  const match = /^(\d*)(?:\.(\d*))?$/.exec(trimmed);
  if (!match || trimmed === "" || trimmed === ".") return { ok: false, reason: "invalid" };
  const whole = match[1] ?? "";
  const fraction = (match[2] ?? "").replace(/0+$/, "");
  if (fraction.length > decimals) return { ok: false, reason: "precision" };
  const value = BigInt(whole || "0") * pow10(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
  return { ok: true, value };
}

/** Fraction digits needed to show every multiple of `step` base units exactly (0.01 -> 2, 1 -> 0). */
export function stepDecimals(step: bigint | string, decimals: number): number {
  let value = typeof step === "bigint" ? step : BigInt(step);
  let trailing = 0;
  while (value > 0n && value % TEN === 0n && trailing < decimals) {
    value /= TEN;
    trailing += 1;
  }
  return decimals - trailing;
}

/**
 * `numerator / denominator` as a plain number, for drawing only (charts, depth bars). Exact up to
 * float precision, never used for amounts that are signed or compared.
 */
export function ratioToNumber(numerator: bigint, denominator: bigint): number {
  if (denominator === 0n) return 0;
  const scaled = (numerator * 1_000_000_000n) / denominator;
  return Number(scaled) / 1e9;
}

/** `value` base units as a plain number of human units, for drawing only. */
export function unitsToNumber(value: bigint | string, decimals: number): number {
  return ratioToNumber(typeof value === "bigint" ? value : BigInt(value), pow10(decimals));
}
