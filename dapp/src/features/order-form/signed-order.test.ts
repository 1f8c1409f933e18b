import { hashTypedData } from "viem";
import { describe, expect, it } from "vitest";
import { checkOrder } from "./rules";
import { orderBody, orderMessage } from "./signed-order";
import { typedDataFor } from "../../lib/signing";
import { DEV_EIP712 as EIP712 } from "../../lib/signing.fixture";
import { DEV_MARKET as MARKET, MAKER } from "./test-fixtures";

// The expected digests come from the Python signer (backend/signing/typed_data.py), which the API and
// the contract agree with. Regenerate with `.venv/bin/python` from the repository root:
//   from backend.signing.typed_data import *
//   d = Domain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
//   o = Order(MAKER, BASE, QUOTE, 0, 10**17, 3000 * 10**6, 0, 2000, 1_700_000_000_000_000_000, 1_700_086_400, 0)
//   order_digest(d, o).hex()
//   order_digest(d, o._replace(side=1, flags=3, triggerPrice=2900 * 10**6, limitPrice=2871 * 10**6)).hex()
// with MAKER, BASE and QUOTE the addresses of ./test-fixtures (whose forms are `signing_forms(d)`).
const NONCE = 1_700_000_000_000_000_000n;
const EXPIRY = 1_700_086_400n;
const ORDER_DIGEST = "0x6c81c516df65cefecd0f00e969e8b26bca61bcaed21a2a37c528c5a21dfc6bbc";

function signedForm(draft: Parameters<typeof checkOrder>[0]) {
  const checked = checkOrder(draft, {
    market: MARKET, feeRates: MARKET, available: null, lastPrice: 3_000_000_000n, oppositeLevels: [], locale: "en",
  });
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return { checked: checked.order, message: orderMessage(MAKER, MARKET, checked.order, NONCE, EXPIRY) };
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

  it("hashes a stop-market sell, worst price included, to the Python digest", () => {
    const { message } = signedForm({ ...LIMIT_BUY, side: "sell", kind: "stopMarket", price: "", triggerPrice: "2900" });
    expect(hashTypedData(typedDataFor(EIP712, "Order", message))).toBe(
      "0xf9907fa6564eb33226378d344ccfae8f957895d9d7c2069540f4b4332d579d9d",
    );
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
