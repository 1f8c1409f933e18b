/**
 * Sending a signed order so that trying again never places it twice.
 *
 * The API places one signed order once: the same bytes sent again are answered with the stored order. A new
 * signature (a new expiry, so a new hash) would be a second order. So when an attempt ends without an answer
 * that says what happened (no answer at all, a proxy's 502, an engine timeout: the order may stand), the next
 * attempt sends the same signed body again instead of asking the wallet for a new one. A refusal (4xx) of such a
 * resend is read back first: the API refuses the copy of an order it took once it no longer knows its hash (an
 * expired order: ORDER_EXPIRED, NONCE_USED), so the earlier send's order is the answer if it is there. Only a
 * refusal of an order that is not there lets the next attempt sign anew.
 */
import { ApiError } from "../../lib/api-client";

/** Whether a failed attempt leaves it unknown if the order was placed: no answer, or a server-side 5xx. */
export function outcomeUnknown(error: unknown): boolean {
  return !(error instanceof ApiError) || error.status === 0 || error.status >= 500;
}

export class SignedSubmission<Body, Answer> {
  private body: Body | null = null;
  private readonly listeners = new Set<() => void>();

  /** Whether the next `submit` sends the body already signed (its last attempt's outcome is unknown). */
  get resending(): boolean {
    return this.body !== null;
  }

  /** The body signed last, while its outcome is unknown (what the next `submit` sends), else null: what it says, its
   * expiry for one, is what was signed, not what a new signature would say. */
  get pending(): Body | null {
    return this.body;
  }

  /** Call `listener` whenever `resending` may have changed (for `useSyncExternalStore`); returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private get unsent(): Body | null {
    return this.body;
  }

  private set unsent(body: Body | null) {
    const changed = (body === null) !== (this.body === null);
    this.body = body;
    if (changed) for (const listener of this.listeners) listener();
  }

  /** Send the body signed last time if its outcome is unknown, else sign (`sign`) a new one; then `post` it. A
   * refused resend is answered with what `readBack` finds of the earlier send (null: nothing). */
  async submit(
    sign: () => Promise<Body>,
    post: (body: Body) => Promise<Answer>,
    readBack: (body: Body) => Promise<Answer | null>,
  ): Promise<Answer> {
    const resending = this.unsent !== null;
    const body = this.unsent ?? (await sign());
    this.unsent = body;
    let refusal: unknown;
    try {
      const answer = await post(body);
      this.unsent = null;
      return answer;
    } catch (error) {
      if (outcomeUnknown(error) || !resending) {
        if (!outcomeUnknown(error)) this.unsent = null;
        throw error;
      }
      refusal = error;
    }
    const earlier = await readBack(body); // a failed read leaves the outcome unknown: the body is kept
    this.unsent = null;
    if (earlier !== null) return earlier;
    throw refusal;
  }

  /** `submit`, and while its outcome stays unknown the same signed body again after each of `delaysMs`. */
  async submitWithResends(
    sign: () => Promise<Body>,
    post: (body: Body) => Promise<Answer>,
    readBack: (body: Body) => Promise<Answer | null>,
    delaysMs: readonly number[],
    wait: (ms: number) => Promise<unknown> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.submit(sign, post, readBack);
      } catch (error) {
        const delay = delaysMs[attempt];
        if (!this.resending || delay === undefined) throw error;
        await wait(delay);
      }
    }
  }
}
