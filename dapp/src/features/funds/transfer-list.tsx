/** This session's deposits and withdrawals, each with its steps, transaction, outcome and what to know meanwhile
 * (announced politely). */
import type { Hex } from "viem";
import { useI18n, type MessageKey } from "../../i18n";
import type { TokenInfo } from "../../lib/api-types";
import { STEPS, stepsReached, type Direction, type TransferStage } from "./transfer-steps";

export interface Transfer {
  id: number;
  direction: Direction;
  token: TokenInfo;
  amount: bigint;
  stage: TransferStage;
  txHash: Hex | null;
  error: string | null;
  /** Where it stands beyond its stage, when that needs saying (not mined yet, its status unread for now). */
  note: string | null;
}

const STAGE_KEY: Record<TransferStage, MessageKey> = {
  wallet: "funds.stage.wallet",
  failed: "funds.stage.failed",
  unknown: "funds.stage.unknown",
  sending: "funds.stage.sending",
  approving: "funds.stage.approving",
  pending: "funds.stage.pending",
  mined: "funds.stage.mined",
  credited: "funds.stage.credited",
  accepted: "funds.stage.accepted",
  relaying: "funds.stage.relaying",
  relayed: "funds.stage.relayed",
  completed: "funds.stage.completed",
};

export function TransferList({ transfers, explorerUrl }: { transfers: readonly Transfer[]; explorerUrl: string | null }) {
  const { t, formatUnits } = useI18n();
  return (
    <ol className="funds__transfers" aria-live="polite" aria-label={t("funds.transfers")}>
      {transfers.map((transfer) => {
        const reached = stepsReached(transfer.direction, transfer.stage);
        const title = t(transfer.direction === "deposit" ? "funds.depositOf" : "funds.withdrawalOf", {
          amount: `${formatUnits(transfer.amount, transfer.token.decimals)} ${transfer.token.symbol}`,
        });
        return (
          <li key={transfer.id} className={`funds__transfer funds__transfer--${transfer.stage}`}>
            <p className="funds__transfer-title">
              <strong>{title}</strong>: {t(STAGE_KEY[transfer.stage])}
            </p>
            <ol className="funds__steps" aria-label={t("funds.steps")}>
              {STEPS[transfer.direction].map((step, index) => (
                <li key={step} className={index < reached ? "funds__step funds__step--done" : "funds__step"}>
                  {t(STAGE_KEY[step])}
                  {index < reached ? <span className="visually-hidden"> ({t("funds.stepDone")})</span> : null}
                </li>
              ))}
            </ol>
            {transfer.txHash ? (
              <p className="funds__tx">
                {t("funds.transaction")}{" "}
                {explorerUrl ? (
                  <a href={`${explorerUrl.replace(/\/$/, "")}/tx/${transfer.txHash}`} target="_blank" rel="noreferrer">
                    <code>{transfer.txHash}</code>
                  </a>
                ) : (
                  <code>{transfer.txHash}</code>
                )}
              </p>
            ) : null}
            {transfer.error ? <p className="form-error">{transfer.error}</p> : null}
            {transfer.note ? <p className="funds__note">{transfer.note}</p> : null}
          </li>
        );
      })}
    </ol>
  );
}
