/**
 * The confirmation: exactly what the wallet will sign, in human units, then the signature and
 * `POST /v1/orders`. Declining in the wallet or a refusal by the API keeps the dialog open with the
 * reason; nothing is sent without a signature. The expiry is taken from the server's clock when the order
 * is signed, so an immediate order's seconds start then (not when the dialog opened) and a computer clock
 * that is off does not shorten them. An attempt without a clear answer is sent again as signed
 * (`SignedSubmission`): a new signature would be a second order. The submission belongs to the reviewed order, not
 * to the dialog: closed while its outcome is unknown, the review is the form's order in doubt (`useInDoubt`), and the
 * form opens it again rather than a new one.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { hashTypedData, type Address, type Hex } from "viem";
import { Dialog, Terms, useToast } from "../../components/ui";
import { useI18n, type MessageKey } from "../../i18n";
import { api, ApiError } from "../../lib/api-client";
import type { Market, Side } from "../../lib/api-types";
import { formatBaseAmount, formatBaseAmountExact, formatPrice, formatQuoteAmount, priceSourceOf } from "../../lib/market";
import { signTyped, typedDataFor, useCurrentEip712, useEip712 } from "../../lib/signing";
import { marketsQuery } from "../markets";
import { sameAddress, useWallet } from "../wallet";
import { STOP_NEEDS_PRICE_SOURCE, tradingErrorText } from "./error-text";
import { isStaleNonceError, orderNonces } from "./order-nonces";
import { isMarketKind, isOperatorTriggered, isStopKind, KIND_LABEL, type CheckedOrder } from "./rules";
import { IMMEDIATE_ORDER_LIFETIME_S, isImmediate, orderBody, orderExpiry, orderMessage } from "./signed-order";
import { SignedSubmission } from "./signed-submission";
import { StopTriggerNote } from "./stop-trigger-note";
import { useResending } from "./use-resending";

export interface ReviewedOrder {
  /** The market the order was checked against: its amounts and prices are in that market's units. */
  market: string;
  /** The account the order is for (the one connected when the review opened): shown, signed and sent for it only. */
  maker: Address;
  order: CheckedOrder;
  /** Taken from the wallet's nonce counter when the review opened. */
  nonce: bigint;
  /** Its signed body while an attempt's outcome is unknown. */
  submission: SignedSubmission<SignedOrder, PlacedOrder>;
}

interface PlacedOrder {
  status: string;
}

/** A review of `maker`'s `order` on `market` with nonce `nonce` (from `maker`'s counter), nothing signed yet. */
export function reviewOf(market: string, maker: Address, order: CheckedOrder, nonce: bigint): ReviewedOrder {
  return { market, maker, order, nonce, submission: new SignedSubmission<SignedOrder, PlacedOrder>() };
}

/** Whether `review` is of `market` and of the connected `account`: a review of another market or account is closed,
 * and never offered again there (its amounts are in another market's units; its maker is another account). */
export function isReviewFor(review: ReviewedOrder, market: string, account: Address | null): boolean {
  return review.market === market && sameAddress(review.maker, account);
}

/** Whether `review` was sent without a clear answer and not sent again since (it may stand: resend, never re-sign). */
export function useInDoubt(review: ReviewedOrder | null): boolean {
  return useResending(review?.submission);
}

function nowSeconds(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}

interface SignedOrder {
  hash: Hex;
  body: Record<string, unknown>;
  /** The signed expiry, unix seconds (from the server's clock when the wallet was asked). */
  expiry: bigint;
}

/** The server's clock in seconds (`GET /v1/time`), or this computer's when the server does not answer. */
async function serverSeconds(): Promise<bigint> {
  try {
    const { serverTime } = await api.get<{ serverTime: number }>("/v1/time");
    return BigInt(Math.floor(serverTime / 1000));
  } catch {
    return nowSeconds();
  }
}

/** An amount of the market's base or quote token as the market shows that token everywhere: base with the lot's
 * digits, quote with at least the tick's (lib/market), each exactly. */
function tokenAmountText(amount: bigint, token: "base" | "quote", market: Market, locale: string): string {
  return token === "base"
    ? `${formatBaseAmountExact(amount, market, locale)} ${market.baseToken.symbol}`
    : `${formatQuoteAmount(amount, market, locale)} ${market.quoteToken.symbol}`;
}

/** The fee in the token the order receives: base for a buy, quote for a sell. */
export function feeText(fee: bigint, side: Side, market: Market, locale: string): string {
  return tokenAmountText(fee, side === "buy" ? "base" : "quote", market, locale);
}

/** What the order holds while open, in the token it pays with: quote for a buy, base for a sell. */
function holdText(hold: bigint, side: Side, market: Market, locale: string): string {
  return tokenAmountText(hold, side === "buy" ? "quote" : "base", market, locale);
}

interface Props {
  market: Market;
  review: ReviewedOrder;
  onClose(): void;
  onPlaced(): void;
}

export function OrderReview(props: Props) {
  // The form may be on another market by now, whose tokens must never sign amounts in this order's units.
  return props.review.market === props.market.name ? <ReviewDialog {...props} /> : null;
}

function ReviewDialog({ market, review, onClose, onPlaced }: Props) {
  const { t, locale, formatFeeRate, formatDateTime } = useI18n();
  const { address, walletClient } = useWallet();
  const eip712 = useEip712();
  const currentEip712 = useCurrentEip712();
  const toast = useToast();
  const queryClient = useQueryClient();
  const { order, maker } = review;
  const sideLabel = t(order.side === "buy" ? "order.buy" : "order.sell");
  const price = (value: bigint) => `${formatPrice(value, market, locale)} ${market.quoteToken.symbol}`;
  const amount = `${formatBaseAmount(order.baseAmount, market, locale)} ${market.baseToken.symbol}`;
  // A nonce the API says is used (or below the wallet's floor) is replaced, so signing again can succeed.
  const [nonce, setNonce] = useState(review.nonce);
  const { submission } = review;

  const place = useMutation({
    mutationFn: async () => {
      if (!address || !walletClient || !eip712.data) throw new Error(t("order.walletNotReady"));
      // Its nonce and any earlier signature are this account's: another one would sign, or post, for the wrong maker.
      if (!sameAddress(address, maker)) throw new Error(t("order.accountChanged"));
      const sign = async (): Promise<SignedOrder> => {
        const domain = await currentEip712();
        const expiry = orderExpiry(order, await serverSeconds());
        const message = orderMessage(maker, market, order, nonce, expiry);
        const signature = await signTyped(walletClient, maker, domain, "Order", message);
        return { hash: hashTypedData(typedDataFor(domain, "Order", message)), body: orderBody(message, signature, order), expiry };
      };
      return submission.submit(
        sign,
        (signed) => api.post<PlacedOrder>("/v1/orders", signed.body),
        (signed) => api.find<PlacedOrder>(`/v1/orders/${signed.hash}`),
      );
    },
    onError: (error) => {
      if (isStaleNonceError(error)) {
        const counter = orderNonces(maker);
        counter.forget();
        // A failed look-up keeps the old nonce: signing again is refused again and looks up again.
        counter.take().then(setNonce, () => undefined);
      }
      // The market lost its price source since the form was filled: fresh markets re-sign the stop correctly.
      if (error instanceof ApiError && error.code === STOP_NEEDS_PRICE_SOURCE) {
        void queryClient.invalidateQueries({ queryKey: marketsQuery.queryKey });
      }
    },
    onSuccess: (placed) => {
      toast.show({
        kind: "success",
        title: t("order.placed"),
        body: t("order.placedBody", { side: sideLabel, amount, status: t(`account.status.${placed.status}` as MessageKey) }),
      });
      void queryClient.invalidateQueries({ queryKey: ["account", maker] });
      onPlaced();
      onClose();
    },
  });

  /** The expiry signed, once it is; before, when it will be (taken from the server's clock at the signature). */
  function expiryText(): string {
    const signed = submission.pending;
    if (signed) return formatDateTime(Number(signed.expiry) * 1000);
    return isImmediate(order)
      ? t("order.review.expiryImmediate", { seconds: IMMEDIATE_ORDER_LIFETIME_S.toString() })
      : formatDateTime(Number(orderExpiry(order, nowSeconds())) * 1000);
  }

  const rows: [string, ReactNode][] = [
    [t("order.review.market"), market.name],
    [t("order.review.side"), <span className={`${order.side}-text`}>{sideLabel}</span>],
    [t("order.type"), t(KIND_LABEL[order.kind])],
    [t("order.amount"), amount],
  ];
  if (isStopKind(order.kind)) rows.push([t("order.triggerPrice"), price(order.triggerPrice)]);
  rows.push([isMarketKind(order.kind) ? t("order.worstPrice") : t("order.price"), price(order.limitPrice)]);
  rows.push(
    [t("order.timeInForce"), order.postOnly ? t("order.postOnly") : t(`order.tif.${order.timeInForce}`)],
    [t("order.review.hold"), holdText(order.hold, order.side, market, locale)],
    [
      t("order.review.maxFee"),
      t("order.review.maxFeeValue", {
        rate: formatFeeRate(order.maxFeeRate), // the signed cap exactly (0.1234%)
        fee: feeText(order.feeAtLimit, order.side, market, locale),
      }),
    ],
    [t("order.review.expiry"), expiryText()],
    [t("order.review.nonce"), nonce.toString()],
    [t("order.review.maker"), maker],
  );

  return (
    <Dialog
      open
      title={t("order.review.title", { side: sideLabel, market: market.name })}
      // Closable while the wallet has not answered (a dropped connection, an unplugged device would keep it open
      // for good): a signature given after that is still the order's, placed and told as usual.
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button button--ghost" onClick={onClose}>
            {t("order.review.back")}
          </button>
          <button
            type="button"
            className={`button button--${order.side}`}
            onClick={() => place.mutate()}
            disabled={place.isPending || !eip712.data}
          >
            {place.isPending
              ? t(submission.resending ? "order.review.sending" : "order.review.signing")
              : t(submission.resending ? "order.review.sendAgain" : "order.review.confirm")}
          </button>
        </>
      }
    >
      <p className="muted order-review__lead">{t("order.review.lead")}</p>
      <Terms rows={rows} />
      {isMarketKind(order.kind) ? <p className="muted">{t("order.review.worstPriceNote")}</p> : null}
      {isStopKind(order.kind) ? (
        <StopTriggerNote source={isOperatorTriggered(order.flags) ? null : priceSourceOf(market)} />
      ) : null}
      {place.error ? (
        <p className="form-error" role="alert">
          {tradingErrorText(place.error, t)}
          {submission.resending ? ` ${t("order.review.unknownOutcome")}` : null}
        </p>
      ) : submission.resending && !place.isPending ? (
        <p className="form-error" role="alert">
          {t("order.review.inDoubt")}
        </p>
      ) : null}
    </Dialog>
  );
}
