/** Where a transfer stands, as the three steps the panel shows for each direction. */
import type { DepositStage } from "./transfers";
import type { WithdrawalStage } from "./withdrawal";

export type Direction = "deposit" | "withdrawal";
/** `wallet`: waiting for the wallet to confirm; `failed`: refused, declined or reverted; `unknown`: a withdrawal
 * request the exchange did not answer clearly (it may stand); `sending`: that request being sent again as signed. */
export type TransferStage = "wallet" | "failed" | "unknown" | "sending" | DepositStage | WithdrawalStage;

export const STEPS: Record<Direction, readonly TransferStage[]> = {
  deposit: ["pending", "mined", "credited"],
  withdrawal: ["accepted", "relayed", "completed"],
};

/** How many of the direction's steps are reached (0 to 3); in-between stages count as the step before. */
export function stepsReached(direction: Direction, stage: TransferStage): number {
  if (stage === "relaying") return 1; // accepted, not yet mined
  return STEPS[direction].indexOf(stage) + 1; // wallet, approving, unknown, sending and failed: -1 + 1 = 0
}

export function isFinal(stage: TransferStage): boolean {
  return stage === "credited" || stage === "completed" || stage === "failed";
}
