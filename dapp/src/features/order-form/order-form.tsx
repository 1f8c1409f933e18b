/**
 * The order form: side, kind ("Order type" tabs), prices, amount (typed or a share of the available
 * balance), time in force and post-only, with the fee, what the order holds and who triggers a stop
 * shown before anything is signed. The rules (./rules) are checked on every keystroke and shown next to
 * their field once it was left or a submit was tried; the wallet is only asked from the confirmation
 * dialog, with the wallet's next nonce (./order-nonces).
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState, type FormEvent } from "react";
import { Field, Tabs } from "../../components/ui";
import { useI18n } from "../../i18n";
import { api } from "../../lib/api-client";
import type { BookSnapshot, Market, Side } from "../../lib/api-types";
import { formatUnits, parseUnits } from "../../lib/format";
import { formatPrice, priceInputText, priceSourceOf } from "../../lib/market";
import { usePriceSelection } from "../../lib/price-selection";
import { Link, paths } from "../../lib/router";
import { availableOf, feeRatesFor, useAccountFees, useExchangeBalances } from "../balances";
import { isHalted, useTicker } from "../markets";
import { useWallet } from "../wallet";
import { tradingErrorText } from "./error-text";
import { orderNonces } from "./order-nonces";
import { feeText, isReviewFor, OrderReview, reviewOf, useInDoubt, type ReviewedOrder } from "./order-review";
import {
  amountForPercent,
  checkOrder,
  draftLimitPrice,
  isMarketKind,
  isStopKind,
  KIND_LABEL,
  marketBuyAmountForPercent,
  ORDER_KINDS,
  quoteAmount,
  readsBook,
  signedFeeRate,
  TIME_IN_FORCE,
  type FieldError,
  type Level,
  type OrderContext,
  type OrderDraft,
  type OrderField,
  type OrderKind,
  type TimeInForce,
} from "./rules";
import { StopTriggerNote } from "./stop-trigger-note";
import { useTierLimit } from "./tier-limit";
import "./order-form.css";

const PERCENTS = [25n, 50n, 75n, 100n] as const;
const SLIPPAGES_BPS = [50n, 100n, 200n, 500n] as const;
const BOOK_DEPTH = 100;

function levels(raw: readonly (readonly [string, string])[] | undefined): Level[] {
  return (raw ?? []).map(([price, size]) => [BigInt(price), BigInt(size)] as const);
}

/** The side of the book opposite `side`, best first: what a market order takes from, and the bids a sell is valued at. */
function opposite(book: BookSnapshot | undefined, side: Side): Level[] {
  return levels(side === "buy" ? book?.asks : book?.bids);
}

interface OrderFormProps {
  market: Market;
  /** The escape hatch's element id while the wallet's exit is requested (the exchange then takes no orders from it,
   * so the form takes none and points there to cancel the exit), else null. */
  exitPanel: string | null;
}

export function OrderForm({ market, exitPanel }: OrderFormProps) {
  const { t, locale, formatPercent, formatFeeRate, formatDateTime } = useI18n();
  const wallet = useWallet();
  const ids = useId();
  const [side, setSide] = useState<Side>("buy");
  const [kind, setKind] = useState<OrderKind>("limit");
  const [timeInForce, setTimeInForce] = useState<TimeInForce>("GTC");
  const [postOnly, setPostOnly] = useState(false);
  const [price, setPrice] = useState("");
  const [amount, setAmount] = useState("");
  const [triggerPrice, setTriggerPrice] = useState("");
  const [slippageBps, setSlippageBps] = useState<bigint>(100n);
  const [touched, setTouched] = useState<ReadonlySet<OrderField>>(new Set());
  const [review, setReview] = useState<ReviewedOrder | null>(null);
  /** The review closed last: while its order's outcome is unknown, the form opens it again instead of a new one (for
   * its own market and account: another account's order in doubt is not this one's to send). */
  const [closedReview, setClosedReview] = useState<ReviewedOrder | null>(null);
  const inDoubt = useInDoubt(closedReview) && closedReview !== null && isReviewFor(closedReview, market.name, wallet.address);
  /** Why the last submit could not open the review (the next nonce could not be looked up). */
  const [submitError, setSubmitError] = useState<unknown>(null);

  const balances = useExchangeBalances(wallet.address);
  const fees = useAccountFees(wallet.address);
  const ticker = useTicker(market.name);
  const tierLimit = useTierLimit();
  const bookRead = readsBook({ side, kind });
  const book = useQuery({
    queryKey: ["order-form-book", market.name],
    queryFn: () => api.get<BookSnapshot>(`/v1/markets/${encodeURIComponent(market.name)}/book`, { query: { depth: BOOK_DEPTH } }),
    enabled: bookRead,
    refetchInterval: 2_000,
  });

  // A new market starts a new order.
  useEffect(() => {
    setPrice("");
    setAmount("");
    setTriggerPrice("");
    setTouched(new Set());
  }, [market.name]);
  // A review closes with its market, also one whose nonce arrived after the switch, and with its account.
  useEffect(() => {
    if (review && !isReviewFor(review, market.name, wallet.address)) closeReview();
  }, [review, market.name, wallet.address]);

  function closeReview() {
    setClosedReview(review);
    setReview(null);
  }

  // A click on a book level (or a trade) fills the price; a market order becomes a limit order at it.
  const picked = usePriceSelection();
  useEffect(() => {
    if (!picked || picked.market !== market.name) return;
    const text = priceInputText(picked.price, market);
    if (kind === "stopMarket") setTriggerPrice(text);
    else {
      if (kind === "market") setKind("limit");
      setPrice(text);
    }
    // Only a new pick (its id) fills the field: editing the kind afterwards must not re-apply it.
  }, [picked?.id]);

  const payToken = side === "buy" ? market.quoteToken : market.baseToken;
  const draft: OrderDraft = { side, kind, timeInForce, postOnly, price, amount, triggerPrice, slippageBps };
  const context: OrderContext = {
    market,
    feeRates: feeRatesFor(market, fees.data),
    available: wallet.address ? availableOf(balances.data, payToken.address) : null,
    lastPrice: ticker.data?.last ? BigInt(ticker.data.last) : null,
    sourcePrice: market.priceSource?.price ? BigInt(market.priceSource.price) : null,
    // a book no longer polled keeps its last answer, which must not judge an order later
    oppositeLevels: bookRead ? opposite(book.data, side) : [],
    tierLimit,
    locale,
  };
  const check = checkOrder(draft, context);
  const limitPrice = draftLimitPrice(draft, context);
  const errors: Partial<Record<OrderField, FieldError>> = check.ok ? {} : check.errors;
  const errorFor = (field: OrderField) => {
    const error = touched.has(field) ? errors[field] : undefined;
    return error ? t(error.key, error.values) : null;
  };
  const touch = (field: OrderField) => setTouched((current) => new Set(current).add(field));

  function chooseKind(next: OrderKind) {
    setKind(next);
    const allowed = TIME_IN_FORCE[next];
    if (!allowed.includes(timeInForce)) setTimeInForce(allowed[0]!);
  }

  function fillPercent(percent: bigint) {
    if (context.available === null) return;
    // A market buy's worst price rises with the amount: priced at the typed amount's, the share overshoots.
    const value =
      kind === "market" && side === "buy"
        ? marketBuyAmountForPercent(context.available, percent, context.oppositeLevels, slippageBps, BigInt(market.tickSize), BigInt(market.lotSize))
        : amountForPercent(side, context.available, percent, limitPrice, BigInt(market.lotSize));
    if (value === null) return;
    setAmount(inputText(value, market.baseToken.decimals));
    touch("amount");
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setTouched(new Set<OrderField>(["price", "amount", "triggerPrice", "form"]));
    setSubmitError(null);
    if (wallet.status !== "connected" || !wallet.address) {
      wallet.openConnectDialog();
      return;
    }
    if (wallet.wrongChain || exitPanel !== null) return;
    if (inDoubt) {
      setReview(closedReview); // its order may stand: it is sent again as signed, never signed anew
      return;
    }
    // An order priced or valued from the book is checked against the book as it is now, not as it was two seconds ago.
    const fresh = bookRead ? { ...context, oppositeLevels: opposite((await book.refetch()).data, side) } : context;
    const result = checkOrder(draft, fresh);
    if (!result.ok) return;
    try {
      const maker = wallet.address;
      setReview(reviewOf(market.name, maker, result.order, await orderNonces(maker).take()));
      setClosedReview(null);
    } catch (error) {
      setSubmitError(error);
    }
  }

  const rates = context.feeRates;
  const maxRate = signedFeeRate(rates, postOnly && kind === "limit");
  const parsedAmount = parseUnits(amount, market.baseToken.decimals, locale);
  const showPrice = (value: bigint) => `${formatPrice(value, market, locale)} ${market.quoteToken.symbol}`;
  const formError = errorFor("form");
  const stopHint = t(side === "buy" ? "order.triggerHintBuy" : "order.triggerHintSell");
  const closedBy =
    [market.state !== "open" || isHalted(market) ? `${ids}-closed` : null, exitPanel !== null ? `${ids}-exiting` : null]
      .filter(Boolean)
      .join(" ") || undefined;

  return (
    <section className="panel order-form" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`} className="panel__title">
        {t("order.title", { market: market.name })}
      </h2>
      <form className="order-form__body" onSubmit={(event) => void onSubmit(event)} noValidate>
        <div role="radiogroup" aria-label={t("order.side")} className="order-form__sides">
          {(["buy", "sell"] as const).map((value) => (
            <label key={value} className={`order-form__side order-form__side--${value}`}>
              <input type="radio" name="side" value={value} checked={side === value} onChange={() => setSide(value)} />
              <span>{t(value === "buy" ? "order.buy" : "order.sell")}</span>
            </label>
          ))}
        </div>

        <Tabs
          label={t("order.type")}
          tabs={ORDER_KINDS.map((id) => ({ id, label: t(KIND_LABEL[id]) }))}
          selected={kind}
          onSelect={chooseKind}
        >
          <div className="order-form__fields">
            {isStopKind(kind) ? (
              <Field
                label={t("order.triggerPrice")}
                inputMode="decimal"
                autoComplete="off"
                value={triggerPrice}
                onChange={(event) => setTriggerPrice(event.target.value)}
                onBlur={() => touch("triggerPrice")}
                suffix={market.quoteToken.symbol}
                error={errorFor("triggerPrice")}
                hint={stopHint}
              />
            ) : null}
            {isStopKind(kind) ? <StopTriggerNote source={priceSourceOf(market)} /> : null}
            {isMarketKind(kind) ? (
              <div className="order-form__worst">
                <div className="order-form__row">
                  <span className="muted" id={`${ids}-worst`}>
                    {t("order.worstPrice")}
                  </span>
                  <output className="num" aria-labelledby={`${ids}-worst`} data-testid="worst-price">
                    {limitPrice !== null ? showPrice(limitPrice) : t("common.none")}
                  </output>
                </div>
                <div className="order-form__row">
                  <label htmlFor={`${ids}-slippage`} className="muted">
                    {t("order.slippage")}
                  </label>
                  <select id={`${ids}-slippage`} value={slippageBps.toString()} onChange={(event) => setSlippageBps(BigInt(event.target.value))}>
                    {SLIPPAGES_BPS.map((bps) => (
                      <option key={bps.toString()} value={bps.toString()}>
                        {formatPercent(Number(bps) / 10_000, { minimumFractionDigits: 1, maximumFractionDigits: 1 })}
                      </option>
                    ))}
                  </select>
                </div>
                <p className="muted order-form__note">{t("order.worstPriceNote")}</p>
              </div>
            ) : (
              <Field
                label={t("order.price")}
                inputMode="decimal"
                autoComplete="off"
                value={price}
                onChange={(event) => setPrice(event.target.value)}
                onBlur={() => touch("price")}
                suffix={market.quoteToken.symbol}
                error={errorFor("price")}
              />
            )}
            <Field
              label={t("order.amount")}
              inputMode="decimal"
              autoComplete="off"
              value={amount}
              onChange={(event) => setAmount(event.target.value)}
              onBlur={() => touch("amount")}
              suffix={market.baseToken.symbol}
              error={errorFor("amount")}
            />
            {touched.has("amount") && errors.amount?.key === "order.error.aboveTierLimit" ? (
              <Link to={paths.account} className="order-form__note">
                {t("order.raiseLimit")}
              </Link>
            ) : null}
            <div role="group" aria-label={t("order.percentGroup")} className="order-form__percents">
              {PERCENTS.map((percent) => (
                <button
                  key={percent.toString()}
                  type="button"
                  className="button button--small button--ghost"
                  onClick={() => fillPercent(percent)}
                  disabled={context.available === null || (side === "buy" && limitPrice === null)}
                >
                  {`${percent}%`}
                </button>
              ))}
            </div>
            <div className="order-form__options">
              <div className="order-form__row">
                <label htmlFor={`${ids}-tif`} className="muted">
                  {t("order.timeInForce")}
                </label>
                <select
                  id={`${ids}-tif`}
                  value={timeInForce}
                  onChange={(event) => setTimeInForce(event.target.value as TimeInForce)}
                  disabled={TIME_IN_FORCE[kind].length === 1 || (kind === "limit" && postOnly)}
                >
                  {TIME_IN_FORCE[kind].map((value) => (
                    <option key={value} value={value}>
                      {t(`order.tif.${value}`)}
                    </option>
                  ))}
                </select>
              </div>
              {kind === "limit" ? (
                <label className="order-form__check">
                  <input type="checkbox" checked={postOnly} onChange={(event) => setPostOnly(event.target.checked)} />
                  {t("order.postOnly")}
                </label>
              ) : null}
            </div>
          </div>
        </Tabs>

        <dl className="order-form__summary">
          <div>
            <dt>{t("order.available")}</dt>
            <dd className="num">
              {context.available === null
                ? t("common.none")
                : `${formatUnits(context.available, payToken.decimals, { locale })} ${payToken.symbol}`}
            </dd>
          </div>
          <div>
            <dt>{t("order.total")}</dt>
            <dd className="num">
              {parsedAmount.ok && limitPrice !== null
                ? `${formatUnits(quoteAmount(parsedAmount.value, limitPrice), market.quoteToken.decimals, { locale })} ${market.quoteToken.symbol}`
                : t("common.none")}
            </dd>
          </div>
          <div>
            <dt>{t("order.fees")}</dt>
            <dd className="num">
              {t("order.feeRates", {
                maker: formatFeeRate(rates.makerFeeRate),
                taker: formatFeeRate(rates.takerFeeRate),
              })}
            </dd>
          </div>
          <div>
            <dt>{t("order.maxFee")}</dt>
            <dd className="num">
              {check.ok
                ? t("order.maxFeeValue", { rate: formatFeeRate(maxRate), fee: feeText(check.order.feeAtLimit, side, market, locale) })
                : formatFeeRate(maxRate)}
            </dd>
          </div>
        </dl>

        {wallet.wrongChain ? (
          <p className="form-error" role="alert">
            {t("order.wrongChain")}
          </p>
        ) : null}
        {formError ? (
          <p className="form-error" role="alert">
            {formError}
          </p>
        ) : null}
        {submitError ? (
          <p className="form-error" role="alert">
            {tradingErrorText(submitError, t)}
          </p>
        ) : null}
        {market.state !== "open" || isHalted(market) ? (
          <p className="form-error" role="alert" id={`${ids}-closed`}>
            {market.halt
              ? market.halt.until !== null
                ? t("order.haltedUntil", { until: formatDateTime(market.halt.until) })
                : t("order.halted")
              : t("order.marketClosed")}
          </p>
        ) : null}
        {exitPanel !== null ? (
          <div className="form-error order-form__exiting" role="alert" id={`${ids}-exiting`}>
            <p>{t("order.exitRequested")}</p>
            <a href={`#${exitPanel}`}>{t("order.exitRequestedLink")}</a>
          </div>
        ) : null}
        {inDoubt && !review ? (
          <div className="form-error order-form__in-doubt" role="alert">
            <p>{t("order.inDoubt")}</p>
            <button type="button" className="button button--small" onClick={() => setReview(closedReview)}>
              {t("order.inDoubtReview")}
            </button>
          </div>
        ) : null}
        <button
          type="submit"
          className={`button order-form__submit button--${side}`}
          disabled={market.state !== "open" || isHalted(market) || wallet.wrongChain || exitPanel !== null}
          aria-describedby={closedBy}
        >
          {t(side === "buy" ? "order.buy" : "order.sell")}
        </button>
        {wallet.status !== "connected" ? <p className="muted order-form__note">{t("order.connectFirst")}</p> : null}
      </form>
      {review ? <OrderReview market={market} review={review} onClose={closeReview} onPlaced={() => {
            setAmount("");
            setTouched(new Set());
          }} /> : null}
    </section>
  );
}

/** Base units as the plain text an input holds ("1000.5": no grouping). */
function inputText(value: bigint, decimals: number): string {
  return formatUnits(value, decimals, { locale: "en-US" }).replace(/,/g, "");
}
