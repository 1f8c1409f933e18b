/** The "Recent trades" region: price (coloured by the taker's side), amount and time, newest first. */
import { StatusMessage } from "../../components/ui";
import { useI18n } from "../../i18n";
import type { Market } from "../../lib/api-types";
import { errorText } from "../../lib/errors";
import { formatBaseAmount, formatPrice } from "../../lib/market";
import { useRecentTrades } from "./use-recent-trades";
import "./recent-trades.css";

export function RecentTrades({ market }: { market: Market }) {
  const { t, locale, formatTime, formatDateTime } = useI18n();
  const { data: trades, error, isPending, refetch } = useRecentTrades(market.name);

  let content;
  if (error) content = <StatusMessage kind="error" action={{ label: t("common.retry"), onClick: () => void refetch() }}>{errorText(error, t)}</StatusMessage>;
  else if (isPending) content = <StatusMessage kind="loading">{t("common.loading")}</StatusMessage>;
  else if (!trades || trades.length === 0) content = <StatusMessage kind="empty">{t("trades.empty")}</StatusMessage>;
  else
    content = (
      <table className="recent-trades__table">
        <caption className="visually-hidden">{t("trades.title")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("trades.price", { symbol: market.quoteToken.symbol })}</th>
            <th scope="col" className="num">{t("trades.amount", { symbol: market.baseToken.symbol })}</th>
            <th scope="col" className="num">{t("trades.time")}</th>
          </tr>
        </thead>
        <tbody>
          {trades.map((trade) => (
            <tr key={trade.id}>
              <td className={trade.takerSide === "buy" ? "buy-text" : "sell-text"}>
                {formatPrice(trade.price, market, locale)}
                <span className="visually-hidden"> {t(trade.takerSide === "buy" ? "trades.buy" : "trades.sell")}</span>
              </td>
              <td className="num">{formatBaseAmount(trade.baseAmount, market, locale)}</td>
              <td className="num muted">
                <time dateTime={new Date(trade.time).toISOString()} title={formatDateTime(trade.time)}>
                  {formatTime(trade.time)}
                </time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    );

  return (
    <section className="panel recent-trades" aria-label={t("trades.title")}>
      <h2 className="panel__title">{t("trades.title")}</h2>
      <div className="recent-trades__scroll" tabIndex={0} role="group" aria-label={t("trades.title")}>
        {content}
      </div>
    </section>
  );
}
