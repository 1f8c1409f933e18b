import { hashTypedData } from "viem";
import { describe, expect, it } from "vitest";
import { translate } from "../../i18n";
import { typedDataFor } from "../../lib/signing";
import { DEV_EIP712 as EIP712 } from "../../lib/signing.fixture";
import { DEV_MARKET, MAKER } from "../order-form/test-fixtures";
import { withdrawalBody, withdrawalFailureKey, withdrawalFee, withdrawalMessage } from "./withdrawal";

const WALLET = MAKER;
const TOKEN = DEV_MARKET.quoteToken.address;

describe("withdrawals", () => {
  it("signs the fee at the current rate, rounded down, as the most the operator may keep", () => {
    expect(withdrawalFee(1_000_000n, 0)).toBe(0n);
    expect(withdrawalFee(1_999_999n, 1)).toBe(1n);
    expect(withdrawalMessage(WALLET, TOKEN, 10_000_000n, 500, 7n, 99n)).toEqual({
      wallet: WALLET, token: TOKEN, amount: 10_000_000n, maxFee: 5_000n, recipient: WALLET, nonce: 7n, expiry: 99n,
    });
  });

  it("sends every number as a decimal string", () => {
    const body = withdrawalBody(withdrawalMessage(WALLET, TOKEN, 10n ** 30n, 0, 7n, 99n), "0xsig");
    expect(body).toEqual({
      withdrawal: {
        wallet: WALLET, token: TOKEN, amount: "1000000000000000000000000000000", maxFee: "0", recipient: WALLET,
        nonce: "7", expiry: "99",
      },
      signature: "0xsig",
    });
  });

  // From the Python signer (backend/signing/typed_data.py), regenerate with `.venv/bin/python`:
  //   withdrawal_digest(Domain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3"),
  //                     Withdrawal(MAKER, USDC, 10_000 * 10**6, 0, MAKER, 42, 1_700_086_400)).hex()
  it("hashes a withdrawal to the digest the Python signer computes", () => {
    const message = withdrawalMessage(WALLET, TOKEN, 10_000_000_000n, 0, 42n, 1_700_086_400n);
    expect(hashTypedData(typedDataFor(EIP712, "Withdrawal", message))).toBe(
      "0xc9b35910c555b481f6993c5e8678dfcc20d4b6196a30f27bf23cb9ad45c64467",
    );
  });
});

describe("a failed withdrawal's reason", () => {
  const english = (failure: string | null) => translate("en", withdrawalFailureKey(failure));

  it("is told in words, never as the relayer's code, and says the amount is available again", () => {
    const screened = english("blocked_by_screening:wallet+recipient");
    expect(screened).toMatch(/^Refused by compliance screening/);
    expect(screened).not.toContain("blocked_by_screening");
    for (const failure of ["blocked_by_screening:wallet", "recipient_gas: taking it would need 900000 gas", "lost_in_reorg: a reorg took it", null]) {
      expect(english(failure)).toContain("the amount is available again");
    }
  });

  it("tells a destination that cannot take the transfer apart from anything else the chain refused", () => {
    expect(withdrawalFailureKey("invalid_recipient: the zero address or the Exchange")).toBe("funds.failure.recipient");
    expect(withdrawalFailureKey("recipient_reverted: the wallet's ether to this recipient reverted on-chain")).toBe("funds.failure.recipient");
    expect(withdrawalFailureKey("recipient_gas: taking it would need 900000 gas")).toBe("funds.failure.recipient");
    expect(withdrawalFailureKey("withdrawal would revert: execution reverted")).toBe("funds.failure.other");
    expect(withdrawalFailureKey("nonce used by another transaction; none of ours was mined")).toBe("funds.failure.other");
  });
});
