import { describe, expect, it } from "vitest";
import { ApiError } from "../../lib/api-client";
import { StillPending, TransactionReverted } from "../wallet";
import { stoppedTransfer } from "./transfer-outcome";

const TX = `0x${"aa".repeat(32)}` as const;
const t = (key: string) => key;

describe("a transfer whose steps stopped", () => {
  it("stays pending, with its transaction, when no receipt came in time: it may still be mined", () => {
    expect(stoppedTransfer(new StillPending(TX), false, t)).toEqual({ txHash: TX, error: null, note: "funds.stillPending" });
  });

  it("is of unknown outcome, never failed, when its withdrawal request got no clear answer", () => {
    const change = stoppedTransfer(new ApiError(502, "HTTP_502", "Bad Gateway"), true, t);
    expect(change).toMatchObject({ stage: "unknown", note: "funds.inDoubt" });
  });

  it("failed when the transaction reverted or the request was refused", () => {
    expect(stoppedTransfer(new TransactionReverted(TX), false, t)).toMatchObject({ stage: "failed", error: "funds.reverted" });
    expect(stoppedTransfer(new ApiError(422, "WITHDRAWAL_TOO_SMALL", "too small"), false, t)).toMatchObject({ stage: "failed", error: "too small" });
  });
});
