/** Asks above, spread, bids below; each level is a button that hands its price to the order form. */
import { useI18n } from "../../i18n";
import type { Market, Side } from "../../lib/api-types";
import { ratioToNumber } from "../../lib/format";
import { formatBaseAmount, formatPrice } from "../../lib/market";
import { selectPrice } from "../../lib/price-selection";
import { spread, type Level } from "./book-state";

interface BookLadderProps {
  market: Market;
  bids: readonly Level[];
  asks: readonly Level[];
  /** False while a fresh snapshot is awaited after a lost message. */
  synced: boolean;
}

export function BookLadder({ market, bids, asks, synced }: BookLadderProps) {
  const { t, locale, formatPercent } = useI18n();
  const deepest = [bids.at(-1)?.total ?? 0n, asks.at(-1)?.total ?? 0n].reduce((a, b) => (a > b ? a : b), 0n);
  const gap = spread(bids, asks);
  const symbolPrice = market.quoteToken.symbol;
  const symbolBase = market.baseToken.symbol;

  const row = (level: Level, side: Side) => {
    const price = formatPrice(level.price, market, locale);
    const amount = formatBaseAmount(level.qty, market, locale);
    const width = `${(ratioToNumber(level.total, deepest || 1n) * 100).toFixed(1)}%`;
    return (
      <li key={level.price.toString()}>
        <button
          type="button"
          className={`book-row book-row--${side}`}
          onClick={() => selectPrice(market.name, level.price.toString(), side)}
        >
          <span className="book-row__depth" style={{ width }} aria-hidden="true" />
          <span className={`book-row__price ${side === "buy" ? "buy-text" : "sell-text"}`}>
            <span className="visually-hidden">{t(side === "buy" ? "book.bidLevel" : "book.askLevel")} </span>
            {price}
          </span>
          <span className="book-row__qty">{amount}</span>
          <span className="book-row__total">{formatBaseAmount(level.total, market, locale)}</span>
        </button>
      </li>
    );
  };

  return (
    <div className="book-ladder" aria-busy={!synced}>
      <div className="book-ladder__head" aria-hidden="true">
        <span>{t("book.price", { symbol: symbolPrice })}</span>
        <span>{t("book.amount", { symbol: symbolBase })}</span>
        <span>{t("book.total", { symbol: symbolBase })}</span>
      </div>
      <ol className="book-ladder__side book-ladder__side--asks" aria-label={t("book.asks")}>
        {asks.length === 0 ? <li className="book-ladder__empty">{t("book.noAsks")}</li> : [...asks].reverse().map((level) => row(level, "sell"))}
      </ol>
      <div className="book-ladder__spread">
        {gap ? (
          <>
            <span className="book-ladder__mid">{formatPrice(gap.mid, market, locale)}</span>
            <span className="muted">
              {t("book.spread", {
                spread: formatPrice(gap.spread, market, locale),
                percent: formatPercent(ratioToNumber(gap.spread, gap.mid || 1n)),
              })}
            </span>
          </>
        ) : (
          <span className="muted">{t("book.noSpread")}</span>
        )}
        {!synced ? <span className="muted">{t("book.resyncing")}</span> : null}
      </div>
      <ol className="book-ladder__side book-ladder__side--bids" aria-label={t("book.bids")}>
        {bids.length === 0 ? <li className="book-ladder__empty">{t("book.noBids")}</li> : bids.map((level) => row(level, "buy"))}
      </ol>
    </div>
  );
}
