/**
 * Sending a signed order so that trying again never places it twice.
 *
 * The API places one signed order once: the same bytes sent again are answered with the stored order. A new
 * signature (a new expiry, so a new hash) would be a second order. So when an attempt ends without an answer
 * that says what happened (no answer at all, a proxy's 502, an engine timeout: the order may stand), the next
 * attempt sends the same signed body again instead of asking the wallet for a new one. Only a refusal (4xx: the
 * order was not taken) lets the next attempt sign anew.
 */
import { ApiError } from "../../lib/api-client";

/** Whether a failed attempt leaves it unknown if the order was placed: no answer, or a server-side 5xx. */
export function outcomeUnknown(error: unknown): boolean {
  return !(error instanceof ApiError) || error.status === 0 || error.status >= 500;
}

export class SignedSubmission<Body, Answer> {
  private unsent: Body | null = null;

  /** Whether the next `submit` sends the body already signed (its last attempt's outcome is unknown). */
  get resending(): boolean {
    return this.unsent !== null;
  }

  /** Send the body signed last time if its outcome is unknown, else sign (`sign`) a new one; then `post` it. */
  async submit(sign: () => Promise<Body>, post: (body: Body) => Promise<Answer>): Promise<Answer> {
    const body = this.unsent ?? (await sign());
    this.unsent = body;
    try {
      const answer = await post(body);
      this.unsent = null;
      return answer;
    } catch (error) {
      if (!outcomeUnknown(error)) this.unsent = null;
      throw error;
    }
  }
}
