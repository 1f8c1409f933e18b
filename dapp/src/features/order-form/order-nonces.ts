/**
 * Order nonces. On-chain a nonce names one order of its maker, and consecutive nonces share a storage word
 * (cheaper to mark used), so the app asks the API once per wallet for the next nonce (`GET /v1/nonce`) and
 * counts up from it, one per order put up for signing. When the API says a nonce is used or below the wallet's
 * floor (another tab, a bot with the same key, an on-chain cancel), the count is dropped and asked for again.
 */
import type { Address } from "viem";
import { api, ApiError } from "../../lib/api-client";

/** The API refusals after which the local count is wrong and the API is asked again. */
const STALE_NONCE_CODES: ReadonlySet<string> = new Set(["NONCE_USED", "NONCE_BELOW_FLOOR"]);

/** Whether `error` is one of those refusals. */
export function isStaleNonceError(error: unknown): boolean {
  return error instanceof ApiError && STALE_NONCE_CODES.has(error.code);
}

/** The next nonce of `maker` (`GET /v1/nonce?maker=`, `{"maker": "0x…", "nonce": "<decimal>"}`). */
export async function fetchNextNonce(maker: Address): Promise<bigint> {
  const answer = await api.get<{ nonce?: unknown }>("/v1/nonce", { query: { maker } });
  if (typeof answer.nonce !== "string" || !/^\d+$/.test(answer.nonce)) {
    throw new Error(`the exchange answered an unreadable next nonce: ${JSON.stringify(answer.nonce)}`);
  }
  return BigInt(answer.nonce);
}

/** One wallet's nonces: looked up once, then counted up locally. */
export class NonceCounter {
  #next: bigint | null = null;
  #lookup: Promise<bigint> | null = null;
  readonly #lookUp: () => Promise<bigint>;

  constructor(lookUp: () => Promise<bigint>) {
    this.#lookUp = lookUp;
  }

  /** The nonce for the next order; no later `take` returns it again (until `forget`). */
  async take(): Promise<bigint> {
    if (this.#next === null) {
      // Concurrent takes share one look-up; a failed look-up is tried again by the next take.
      this.#lookup ??= this.#lookUp().finally(() => {
        this.#lookup = null;
      });
      const next = await this.#lookup;
      this.#next ??= next;
    }
    const nonce = this.#next;
    this.#next = nonce + 1n;
    return nonce;
  }

  /** The nonce the next `take` returns without asking the API, or null when it would ask: every nonce this counter
   * has handed out is below it. */
  peek(): bigint | null {
    return this.#next;
  }

  /** Drop the count: the next `take` asks the API again. */
  forget(): void {
    this.#next = null;
  }
}

const counters = new Map<string, NonceCounter>();

/** The counter of `maker`, shared by every order form of the page. */
export function orderNonces(maker: Address): NonceCounter {
  const key = maker.toLowerCase();
  let counter = counters.get(key);
  if (!counter) {
    counter = new NonceCounter(() => fetchNextNonce(maker));
    counters.set(key, counter);
  }
  return counter;
}
