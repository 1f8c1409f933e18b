/**
 * The EIP-712 Order as the wallet signs it and the `POST /v1/orders` body that carries it.
 *
 * Mirrors `backend/client/core.py` (`Signer.order_body`): the message holds every field of
 * `Order(...)` in IExchange.sol; the body repeats it with every number as a decimal string.
 */

import type { Address } from "viem";
import type { Market } from "../../lib/api-types";
import type { CheckedOrder, TimeInForce } from "./rules";

/** Seconds a resting order stays valid unless cancelled. */
export const ORDER_LIFETIME_S = 30n * 24n * 3600n;

/** Seconds an IOC or FOK order stays valid, from the server's clock when the wallet is asked to sign:
 * immediate-or-cancel is signed as a short expiry, and the API refuses an immediate order valid longer than a
 * minute (HDEX_IMMEDIATE_ORDER_MAX_EXPIRY_S, 60 by default) or for less than HDEX_SETTLEMENT_MARGIN_S (10): so
 * the wallet may take up to 40 s. The contract re-checks expiry when the fill settles, so a matched immediate
 * order must be settled within what is left. */
export const IMMEDIATE_ORDER_LIFETIME_S = 50n;

type TimeInForceChoice = Pick<CheckedOrder, "kind" | "timeInForce" | "postOnly">;

/** The `timeInForce` the body asks for, or null to send none: a post-only order's flag decides, and a
 * stop-market's IOC applies once it triggered (asking for IOC would bind it to a short expiry while it waits). */
export function requestedTimeInForce(order: TimeInForceChoice): TimeInForce | null {
  return order.postOnly || order.kind === "stopMarket" ? null : order.timeInForce;
}

/** Whether the order is signed as immediate (IOC or FOK asked for): valid for `IMMEDIATE_ORDER_LIFETIME_S`. */
export function isImmediate(order: TimeInForceChoice): boolean {
  const requested = requestedTimeInForce(order);
  return requested === "IOC" || requested === "FOK";
}

/** The `expiry` to sign at `nowSeconds` (seconds since the epoch): shortly after for an immediate order. */
export function orderExpiry(order: TimeInForceChoice, nowSeconds: bigint): bigint {
  return nowSeconds + (isImmediate(order) ? IMMEDIATE_ORDER_LIFETIME_S : ORDER_LIFETIME_S);
}

/** `Order` exactly as `eth_signTypedData_v4` hashes it (viem: uint8/uint32 as number, wider as bigint). */
export interface OrderMessage {
  maker: Address;
  baseToken: Address;
  quoteToken: Address;
  side: number;
  baseAmount: bigint;
  limitPrice: bigint;
  triggerPrice: bigint;
  maxFeeRate: number;
  nonce: bigint;
  expiry: bigint;
  flags: number;
}

export function orderMessage(
  maker: Address,
  market: Pick<Market, "baseToken" | "quoteToken">,
  order: CheckedOrder,
  nonce: bigint,
  expiry: bigint,
): OrderMessage {
  return {
    maker,
    baseToken: market.baseToken.address,
    quoteToken: market.quoteToken.address,
    side: order.side === "buy" ? 0 : 1,
    baseAmount: order.baseAmount,
    limitPrice: order.limitPrice,
    triggerPrice: order.triggerPrice,
    maxFeeRate: order.maxFeeRate,
    nonce,
    expiry,
    flags: order.flags,
  };
}

/** The `POST /v1/orders` body, with the time in force `requestedTimeInForce` asks for, if any. */
export function orderBody(message: OrderMessage, signature: string, order: TimeInForceChoice): Record<string, unknown> {
  const wire = Object.fromEntries(
    Object.entries(message).map(([name, value]) => [name, typeof value === "string" ? value : String(value)]),
  );
  const timeInForce = requestedTimeInForce(order);
  return timeInForce === null ? { order: wire, signature } : { order: wire, signature, timeInForce };
}
