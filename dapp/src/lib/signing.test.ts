import { hashTypedData } from "viem";
import { describe, expect, it } from "vitest";
import { freshNonce, typedDataFor } from "./signing";
import { DEV_EIP712 } from "./signing.fixture";

const MAKER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
// The order of features/order-form/signed-order.test.ts, whose digest is its id.
const ORDER_HASH = "0x6c81c516df65cefecd0f00e969e8b26bca61bcaed21a2a37c528c5a21dfc6bbc";

describe("typedDataFor", () => {
  it("passes the server's form through unchanged and adds only the message", () => {
    const form = DEV_EIP712.typedData.Cancel.signTypedDataV4;
    expect(typedDataFor(DEV_EIP712, "Cancel", { maker: MAKER, orderHash: ORDER_HASH })).toEqual({
      ...form,
      message: { maker: MAKER, orderHash: ORDER_HASH },
    });
  });

  // From the Python signer (backend/signing/typed_data.py), regenerate with `.venv/bin/python`:
  //   cancel_digest(Domain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3"),
  //                 Cancel(MAKER, bytes.fromhex(ORDER_HASH[2:]))).hex()
  it("hashes a cancel to the digest the Python signer computes", () => {
    expect(hashTypedData(typedDataFor(DEV_EIP712, "Cancel", { maker: MAKER, orderHash: ORDER_HASH }))).toBe(
      "0x9b42efa21a3b40f5e0d4081de8d435246d2af2362119d37aaead72f1f1edc727",
    );
  });
});

describe("freshNonce", () => {
  it("is the time in nanoseconds with random low digits, so nonces signed in one millisecond differ", () => {
    const nonces = new Set(Array.from({ length: 50 }, () => freshNonce(1_700_000_000_000)));
    expect(nonces.size).toBeGreaterThan(45);
    for (const nonce of nonces) {
      expect(nonce / 1_000_000n).toBe(1_700_000_000_000n);
    }
  });

  it("fits the uint64 an order signs", () => {
    expect(freshNonce() < 2n ** 64n).toBe(true);
  });
});
