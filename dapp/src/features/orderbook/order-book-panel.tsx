/** The "Order book" region: the aggregated ladder (click a level to use its price) or the depth chart. */
import { useMemo, useState } from "react";
import { StatusMessage, Tabs } from "../../components/ui";
import { useI18n } from "../../i18n";
import type { Market } from "../../lib/api-types";
import { tickDecimals, priceDecimals } from "../../lib/market";
import { sortedLevels } from "./book-state";
import { BookLadder } from "./book-ladder";
import { DepthChart } from "./depth-chart";
import { BOOK_LEVELS_SHOWN, useOrderBook } from "./use-order-book";
import "./order-book.css";

type View = "book" | "depth";
const LADDER_ROWS = 12;

/** Grouping steps offered: the tick, then 10x, 100x and 1000x it. */
function groupingSteps(market: Market): bigint[] {
  const tick = BigInt(market.tickSize);
  return [tick, tick * 10n, tick * 100n, tick * 1000n];
}

export function OrderBookPanel({ market }: { market: Market }) {
  const { t, formatUnits } = useI18n();
  const [view, setView] = useState<View>("book");
  const [step, setStep] = useState<bigint>(() => BigInt(market.tickSize));
  const { book } = useOrderBook(market.name);
  const steps = groupingSteps(market);
  const activeStep = steps.includes(step) ? step : (steps[0] as bigint);

  const ladder = useMemo(
    () =>
      book
        ? {
            bids: sortedLevels(book.bids, "buy", activeStep, LADDER_ROWS, book.knownTo.buy),
            asks: sortedLevels(book.asks, "sell", activeStep, LADDER_ROWS, book.knownTo.sell),
          }
        : null,
    [book, activeStep],
  );
  const depth = useMemo(
    () =>
      book && view === "depth"
        ? { bids: sortedLevels(book.bids, "buy", 1n, BOOK_LEVELS_SHOWN), asks: sortedLevels(book.asks, "sell", 1n, BOOK_LEVELS_SHOWN) }
        : null,
    [book, view],
  );

  const stepLabel = (value: bigint) =>
    formatUnits(value, priceDecimals(market), { maxFractionDigits: tickDecimals(market) });
  const grouping = (
    <label className="order-book__grouping">
      <span className="visually-hidden">{t("book.grouping")}</span>
      <select aria-label={t("book.grouping")} value={activeStep.toString()} onChange={(event) => setStep(BigInt(event.target.value))} disabled={view !== "book"}>
        {steps.map((value) => (
          <option key={value.toString()} value={value.toString()}>
            {stepLabel(value)}
          </option>
        ))}
      </select>
    </label>
  );

  let content;
  if (!book || !ladder) content = <StatusMessage kind="loading">{t("book.loading")}</StatusMessage>;
  else if (view === "book") content = <BookLadder market={market} bids={ladder.bids} asks={ladder.asks} synced={book.synced} />;
  else content = depth ? <DepthChart market={market} bids={depth.bids} asks={depth.asks} /> : null;

  return (
    <section className="panel order-book" aria-label={t("book.title")}>
      <Tabs<View>
        label={t("book.views")}
        tabs={[
          { id: "book", label: t("book.tabBook") },
          { id: "depth", label: t("book.tabDepth") },
        ]}
        selected={view}
        onSelect={setView}
        actions={grouping}
      >
        {content}
      </Tabs>
    </section>
  );
}

