/** How a transfer stands once its steps stopped with an error: failed only when nothing moved for certain. */
import type { MessageKey } from "../../i18n";
import { tradingErrorText } from "../order-form";
import { StillPending, TransactionReverted } from "../wallet";
import type { Transfer } from "./transfer-list";

export type StoppedTransfer = Pick<Transfer, "error" | "note"> & Partial<Pick<Transfer, "stage" | "txHash">>;

/** The change to a transfer that stopped with `error`; `inDoubt`: its withdrawal request is kept unanswered. A
 * transaction with no receipt yet stays pending and an unanswered request is of unknown outcome: told as failed,
 * either invites a second deposit or withdrawal of the same money. */
export function stoppedTransfer(error: unknown, inDoubt: boolean, t: (key: MessageKey) => string): StoppedTransfer {
  if (error instanceof StillPending) return { txHash: error.txHash, error: null, note: t("funds.stillPending") };
  if (inDoubt) return { stage: "unknown", error: tradingErrorText(error, t), note: t("funds.inDoubt") };
  if (error instanceof TransactionReverted) return { stage: "failed", error: t("funds.reverted"), note: null };
  return { stage: "failed", error: tradingErrorText(error, t), note: null };
}
