/** The language the page speaks, its switcher state, and number/date formatting in the user's time zone. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { formatUnits, type UnitsFormat } from "../lib/format";
import { catalogues, DEFAULT_LOCALE, matchLocale, translate, type MessageKey, type MessageParams } from "./catalogues";

const STORAGE_KEY = "hdex.locale";

export interface I18n {
  locale: string;
  setLocale(locale: string): void;
  t(key: MessageKey, params?: MessageParams): string;
  /** The user's IANA time zone; every date and time is shown in it. */
  timeZone: string;
  formatNumber(value: number, options?: Intl.NumberFormatOptions): string;
  /** A fraction as a percentage (0.0123 -> "1.23%"). */
  formatPercent(value: number, options?: Intl.NumberFormatOptions): string;
  /** A fee rate in millionths, exactly, as a percentage (40 -> "0.004%", 2000 -> "0.2%"): a millionth is a
   *  ten-thousandth of a percent, so four digits always suffice. */
  formatFeeRate(millionths: number): string;
  /** Base units as human units (see lib/format `formatUnits`). */
  formatUnits(value: bigint | string, decimals: number, options?: Omit<UnitsFormat, "locale">): string;
  formatDateTime(epochMs: number): string;
  formatDate(epochMs: number): string;
  formatTime(epochMs: number): string;
}

const I18nContext = createContext<I18n | null>(null);

function initialLocale(): string {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (stored && stored in catalogues) return stored;
  } catch {
    // Storage can be disabled (private mode): fall back to the browser's languages.
  }
  return typeof navigator === "undefined" ? DEFAULT_LOCALE : matchLocale(navigator.languages ?? [navigator.language]);
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState(initialLocale);
  const timeZone = useMemo(() => Intl.DateTimeFormat().resolvedOptions().timeZone, []);

  const setLocale = useCallback((next: string) => {
    if (!(next in catalogues)) return;
    setLocaleState(next);
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Remembering is best effort.
    }
  }, []);

  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = translate(locale, "app.documentTitle");
  }, [locale]);

  const value = useMemo<I18n>(() => {
    const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "medium", timeZone });
    const date = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone });
    const time = new Intl.DateTimeFormat(locale, { timeStyle: "medium", timeZone });
    return {
      locale,
      setLocale,
      timeZone,
      t: (key, params) => translate(locale, key, params),
      formatNumber: (value, options) => new Intl.NumberFormat(locale, options).format(value),
      formatPercent: (value, options) =>
        new Intl.NumberFormat(locale, { style: "percent", minimumFractionDigits: 2, maximumFractionDigits: 2, ...options }).format(value),
      formatFeeRate: (millionths) =>
        new Intl.NumberFormat(locale, { style: "percent", minimumFractionDigits: 0, maximumFractionDigits: 4 }).format(
          millionths / 1_000_000,
        ),
      formatUnits: (value, decimals, options) => formatUnits(value, decimals, { ...options, locale }),
      formatDateTime: (ms) => dateTime.format(ms),
      formatDate: (ms) => date.format(ms),
      formatTime: (ms) => time.format(ms),
    };
  }, [locale, setLocale, timeZone]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}
