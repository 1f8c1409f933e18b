/**
 * The escape hatch's clock: where a wallet's exit stands, read from the Exchange's
 * `walletState(wallet)` (its `exitAvailableAt`, unix seconds; 0 when no exit was requested), measured
 * against the chain's own time, which is what `withdrawExited` checks (a test chain's clock may run
 * ahead of the wall clock).
 */
import type { I18n } from "../../i18n";

export type ExitStage =
  | { stage: "none" }
  | { stage: "waiting"; secondsLeft: bigint }
  | { stage: "available" };

export function exitStage(exitAvailableAt: bigint, chainNow: bigint): ExitStage {
  if (exitAvailableAt === 0n) return { stage: "none" };
  // The contract allows the withdrawal once block.timestamp >= exitAvailableAt.
  if (chainNow >= exitAvailableAt) return { stage: "available" };
  return { stage: "waiting", secondsLeft: exitAvailableAt - chainNow };
}

export interface CountdownParts {
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** Whole days, hours, minutes and seconds of a non-negative duration in seconds. */
export function countdownParts(totalSeconds: bigint): CountdownParts {
  const total = totalSeconds < 0n ? 0n : totalSeconds;
  return {
    days: Number(total / 86_400n),
    hours: Number((total % 86_400n) / 3_600n),
    minutes: Number((total % 3_600n) / 60n),
    seconds: Number(total % 60n),
  };
}

/** A duration as the escape hatch says it: "2 d 03:00:00", or "03:00:00" under a day (the days in the catalogue's words). */
export function durationText(totalSeconds: bigint, t: I18n["t"]): string {
  const parts = countdownParts(totalSeconds);
  return parts.days > 0 ? t("exit.countdownDays", { days: parts.days, clock: clockText(parts) }) : clockText(parts);
}

/** "hh:mm:ss" of the part below a day; the days are said in words by the caller's catalogue. */
export function clockText(parts: CountdownParts): string {
  return [parts.hours, parts.minutes, parts.seconds].map((n) => String(n).padStart(2, "0")).join(":");
}
