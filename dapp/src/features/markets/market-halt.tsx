/**
 * "Market halted": why a market takes no orders now and until when (local time), for the trading page. A risk
 * halt (circuit breaker, price feed, staff) names its cause and its end; cancels still work meanwhile. A
 * market staff switched off entirely says only that.
 */
import { useI18n, type MessageKey } from "../../i18n";
import type { Market, MarketHalt } from "../../lib/api-types";
import "./market-halt.css";

export const HALT_CAUSE_KEYS: Record<MarketHalt["kind"], MessageKey> = {
  breaker: "market.halt.cause.breaker",
  feed: "market.halt.cause.feed",
  staff: "market.halt.cause.staff",
};

/** Whether the market is halted (by its risk checks or by staff), so new orders are refused. */
export function isHalted(market: Pick<Market, "state" | "halt">): boolean {
  return Boolean(market.halt) || market.state === "halted";
}

export function MarketHaltNotice({ market }: { market: Market }) {
  const { t, formatDateTime } = useI18n();
  if (!isHalted(market)) return null;
  const halt = market.halt;
  return (
    <div className="market-halt" role="status" aria-label={t("market.halt.label")}>
      <strong>{t("market.halt.label")}</strong>{" "}
      {halt ? (
        <>
          {t("market.halt.why", { market: market.name, cause: t(HALT_CAUSE_KEYS[halt.kind]), reason: halt.reason })}{" "}
          {halt.until !== null ? t("market.halt.until", { until: formatDateTime(halt.until) }) : t("market.halt.untilReopened")}
        </>
      ) : (
        t("market.halt.byOperator", { market: market.name })
      )}
    </div>
  );
}
