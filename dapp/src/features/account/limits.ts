/**
 * Limits as meters and next steps, in bigint: amounts are decimal strings of the reference token's
 * base units and never become floats; a meter's position is computed in whole thousandths.
 */
import type { LimitKind, Limits, WithdrawalLimitKind } from "./account-api";

export interface Allowance {
  limit: bigint;
  used: bigint;
  /** What is left: the server's figure, never below zero. */
  remaining: bigint;
  /** Used share in thousandths, 0 to 1000 (a zero limit counts as full). */
  permille: number;
  exhausted: boolean;
}

/** floor(used / limit * 1000), clamped to 0..1000, computed exactly on bigints. */
export function usedPermille(used: bigint, limit: bigint): number {
  if (limit <= 0n) return 1000;
  if (used <= 0n) return 0;
  const share = (used * 1000n) / limit;
  return Number(share > 1000n ? 1000n : share);
}

/** One withdrawal allowance of `limits`. */
export function allowance(limits: Limits, kind: WithdrawalLimitKind): Allowance {
  const limit = BigInt(limits.limits[kind]);
  const used = BigInt(limits.used[kind]);
  const left = limits.remaining[kind] !== undefined ? BigInt(limits.remaining[kind]) : limit - used;
  const remaining = left > 0n ? left : 0n;
  return { limit, used, remaining, permille: usedPermille(used, limit), exhausted: remaining === 0n };
}

export interface Unlock {
  kind: LimitKind;
  now: bigint;
  next: bigint;
}

export const LIMIT_KINDS: readonly LimitKind[] = ["withdrawalDaily", "withdrawal30d", "maxOrderNotional"];

/** The limits the next level raises, each with today's and the next level's figure. */
export function unlocks(limits: Limits): Unlock[] {
  const next = limits.nextLevel;
  if (!next) return [];
  return LIMIT_KINDS.map((kind) => ({ kind, now: BigInt(limits.limits[kind]), next: BigInt(next.limits[kind]) })).filter(
    (unlock) => unlock.next > unlock.now,
  );
}
