import { hashTypedData } from "viem";
import { describe, expect, it } from "vitest";
import type { Market } from "../../lib/api-types";
import { checkOrder, type OrderDraft } from "./rules";
import {
  IMMEDIATE_ORDER_LIFETIME_S,
  isImmediate,
  ORDER_LIFETIME_S,
  orderBody,
  orderExpiry,
  orderMessage,
  requestedTimeInForce,
} from "./signed-order";
import { typedDataFor } from "../../lib/signing";
import { DEV_EIP712 as EIP712 } from "../../lib/signing.fixture";
import { DEV_MARKET as MARKET, DEV_MARKET_WITH_FEED, MAKER } from "./test-fixtures";

// The expected digests come from the Python signer (backend/signing/typed_data.py), which the API and
// the contract agree with. Regenerate with `.venv/bin/python` from the repository root:
//   from backend.signing.typed_data import *
//   d = Domain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
//   o = Order(MAKER, BASE, QUOTE, 0, 10**17, 3000 * 10**6, 0, 2000, 1_700_000_000_000_000_000, 1_700_086_400, 0)
//   order_digest(d, o).hex()
//   s = o._replace(side=1, flags=3, triggerPrice=2900 * 10**6, limitPrice=2871 * 10**6)
//   order_digest(d, s).hex(); order_digest(d, s._replace(flags=19)).hex()
//   order_digest(d, o._replace(flags=8, expiry=1_700_000_030)).hex()
// with MAKER, BASE and QUOTE the addresses of ./test-fixtures (whose forms are `signing_forms(d)`).
const NONCE = 1_700_000_000_000_000_000n;
const EXPIRY = 1_700_086_400n;
const ORDER_DIGEST = "0x6c81c516df65cefecd0f00e969e8b26bca61bcaed21a2a37c528c5a21dfc6bbc";

function signedForm(draft: OrderDraft, market: Market = MARKET, expiry: bigint = EXPIRY) {
  const checked = checkOrder(draft, {
    market, feeRates: market, available: null, lastPrice: 3_000_000_000n, sourcePrice: null, oppositeLevels: [], tierLimit: null, locale: "en",
  });
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return { checked: checked.order, message: orderMessage(MAKER, market, checked.order, NONCE, expiry) };
}

const LIMIT_BUY = {
  side: "buy", kind: "limit", timeInForce: "GTC", postOnly: false, price: "3000", amount: "0.1", triggerPrice: "",
  slippageBps: 100n,
} as const;

describe("the signed order", () => {
  it("hashes a limit buy typed in the form to the digest the Python signer computes", () => {
    const { message } = signedForm(LIMIT_BUY);
    expect(hashTypedData(typedDataFor(EIP712, "Order", message))).toBe(ORDER_DIGEST);
  });

  const STOP_MARKET_SELL = { ...LIMIT_BUY, side: "sell", kind: "stopMarket", price: "", triggerPrice: "2900" } as const;

  it("hashes a stop-market sell in a market with a price source, worst price included, to the Python digest", () => {
    const { message } = signedForm(STOP_MARKET_SELL, DEV_MARKET_WITH_FEED);
    expect(message.flags).toBe(3);
    expect(hashTypedData(typedDataFor(EIP712, "Order", message))).toBe(
      "0xf9907fa6564eb33226378d344ccfae8f957895d9d7c2069540f4b4332d579d9d",
    );
  });

  it("hashes the same stop in a market without a price source with the operator trigger (16) signed", () => {
    const { message } = signedForm(STOP_MARKET_SELL);
    expect(message.flags).toBe(19);
    expect(hashTypedData(typedDataFor(EIP712, "Order", message))).toBe(
      "0x5917eee1b39aea0097c23fa1095947f7e4a2699ef1232ab411bdaae203097f50",
    );
  });

  it("hashes a fill-or-kill limit buy, flag 8 and short expiry, to the Python digest and asks for FOK", () => {
    const fok = { ...LIMIT_BUY, timeInForce: "FOK" } as const;
    const { checked, message } = signedForm(fok, MARKET, 1_700_000_030n); // the expiry the Python digest signed
    expect(message.flags).toBe(8);
    expect(hashTypedData(typedDataFor(EIP712, "Order", message))).toBe(
      "0x755623b7cdf36ad7f21d2da63f97f12dd5da90d3f0ea8036474799dd90a3d14c",
    );
    expect(orderBody(message, "0xsig", checked)).toMatchObject({ timeInForce: "FOK", order: { flags: "8" } });
  });

  it("sends the signed numbers as decimal strings, with the time in force unless post-only", () => {
    const { checked, message } = signedForm(LIMIT_BUY);
    expect(orderBody(message, "0xsig", checked)).toEqual({
      order: {
        maker: MAKER, baseToken: MARKET.baseToken.address, quoteToken: MARKET.quoteToken.address, side: "0",
        baseAmount: "100000000000000000", limitPrice: "3000000000", triggerPrice: "0", maxFeeRate: "2000",
        nonce: "1700000000000000000", expiry: "1700086400", flags: "0",
      },
      signature: "0xsig",
      timeInForce: "GTC",
    });
    expect(orderBody(message, "0xsig", { ...checked, postOnly: true })).not.toHaveProperty("timeInForce");
  });
});

describe("the time in force asked for and the expiry signed", () => {
  const NOW = 1_700_000_000n;
  const LATER = NOW + ORDER_LIFETIME_S;
  const SOON = NOW + IMMEDIATE_ORDER_LIFETIME_S;
  // [kind, chosen time in force, post-only, asked for, expiry]
  const cases = [
    ["limit", "GTC", false, "GTC", LATER],
    ["limit", "IOC", false, "IOC", SOON],
    ["limit", "FOK", false, "FOK", SOON],
    ["limit", "IOC", true, null, LATER], // post-only: the flag decides, and the order rests
    ["market", "IOC", false, "IOC", SOON],
    ["market", "FOK", false, "FOK", SOON],
    ["stopLimit", "GTC", false, "GTC", LATER],
    ["stopMarket", "IOC", false, null, LATER], // waits for its trigger; IOC applies once triggered
  ] as const;

  for (const [kind, timeInForce, postOnly, asked, expiry] of cases) {
    it(`asks for ${asked ?? "nothing"} and signs expiry now + ${expiry - NOW} s for ${kind} ${timeInForce}${postOnly ? " post-only" : ""}`, () => {
      const order = { kind, timeInForce, postOnly };
      expect(requestedTimeInForce(order)).toBe(asked);
      expect(isImmediate(order)).toBe(expiry === SOON);
      expect(orderExpiry(order, NOW)).toBe(expiry);
    });
  }

  it("sends no time in force for a stop-market, whose IOC the API applies once it triggered", () => {
    const { checked, message } = signedForm({ ...LIMIT_BUY, kind: "stopMarket", price: "", triggerPrice: "3050" });
    expect(orderBody(message, "0xsig", checked)).not.toHaveProperty("timeInForce");
  });
});
