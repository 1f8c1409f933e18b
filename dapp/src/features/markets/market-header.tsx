/** Last price, 24h change, high, low and volume of the selected market, and why it is halted when it is. */
import { useI18n } from "../../i18n";
import type { Market } from "../../lib/api-types";
import { errorText } from "../../lib/errors";
import { formatBaseAmount, formatPrice } from "../../lib/market";
import { MarketHaltNotice } from "./market-halt";
import { MARKET_STATE_KEYS } from "./market-selector";
import { change24h, useTicker } from "./use-ticker";

export function MarketHeader({ market }: { market: Market }) {
  const { t, locale, formatPercent } = useI18n();
  const { data: ticker, error, isPending } = useTicker(market.name);
  const change = ticker ? change24h(ticker) : null;
  const direction = change === null || change === 0 ? "flat" : change > 0 ? "up" : "down";
  const none = t("common.none");
  const price = (value: string | null | undefined) => (value ? formatPrice(value, market, locale) : none);

  return (
    <section className="market-header" aria-label={t("market.stats", { market: market.name })}>
      {error ? (
        <p className="form-error" role="alert">
          {errorText(error, t)}
        </p>
      ) : (
        <dl className="market-header__stats" aria-busy={isPending}>
          <div className={`market-header__last market-header__last--${direction}`}>
            <dt>{t("market.lastPrice")}</dt>
            <dd>{price(ticker?.last)}</dd>
          </div>
          <div>
            <dt>{t("market.change24h")}</dt>
            <dd className={`change change--${direction}`}>{change === null ? none : formatPercent(change, { signDisplay: "exceptZero" })}</dd>
          </div>
          <div>
            <dt>{t("market.high24h")}</dt>
            <dd>{price(ticker?.high)}</dd>
          </div>
          <div>
            <dt>{t("market.low24h")}</dt>
            <dd>{price(ticker?.low)}</dd>
          </div>
          <div>
            <dt>{t("market.volume24h", { symbol: market.baseToken.symbol })}</dt>
            <dd>{ticker ? formatBaseAmount(ticker.baseVolume, market, locale) : none}</dd>
          </div>
          {market.state !== "open" ? (
            <div>
              <dt>{t("market.stateLabel")}</dt>
              <dd className="market-header__state">{t(MARKET_STATE_KEYS[market.state])}</dd>
            </div>
          ) : null}
        </dl>
      )}
      <MarketHaltNotice market={market} />
    </section>
  );
}
