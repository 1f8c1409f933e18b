import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../lib/api-client";
import { outcomeUnknown, SignedSubmission } from "./signed-submission";

const nothing = async () => null;

describe("a signed order's submission", () => {
  it("sends the same signed body again after an attempt whose outcome is unknown, never a new signature", async () => {
    const submission = new SignedSubmission<string, string>();
    let signatures = 0;
    const sign = vi.fn(async () => `order-${++signatures}`);
    const post = vi
      .fn<(body: string) => Promise<string>>()
      .mockRejectedValueOnce(new ApiError(0, "NETWORK_ERROR", "no answer"))
      .mockRejectedValueOnce(new ApiError(504, "ENGINE_TIMEOUT", "may stand"))
      .mockResolvedValueOnce("placed");
    await expect(submission.submit(sign, post, nothing)).rejects.toThrow("no answer");
    expect(submission.resending).toBe(true);
    await expect(submission.submit(sign, post, nothing)).rejects.toThrow("may stand");
    await expect(submission.submit(sign, post, nothing)).resolves.toBe("placed");
    expect(sign).toHaveBeenCalledTimes(1);
    expect(post.mock.calls.map(([body]) => body)).toEqual(["order-1", "order-1", "order-1"]);
    expect(submission.resending).toBe(false);
  });

  it("tells its subscribers when an outcome becomes unknown and when it is known again, and no longer once gone", async () => {
    const submission = new SignedSubmission<string, string>();
    const seen: boolean[] = [];
    const unsubscribe = submission.subscribe(() => seen.push(submission.resending));
    const post = vi
      .fn<(body: string) => Promise<string>>()
      .mockRejectedValueOnce(new ApiError(502, "BAD_GATEWAY", "proxy"))
      .mockResolvedValueOnce("placed")
      .mockRejectedValueOnce(new ApiError(0, "NETWORK_ERROR", "no answer"));
    await expect(submission.submit(async () => "order", post, nothing)).rejects.toThrow("proxy");
    await expect(submission.submit(async () => "order", post, nothing)).resolves.toBe("placed");
    expect(seen).toEqual([true, false]);
    unsubscribe();
    await expect(submission.submit(async () => "order-2", post, nothing)).rejects.toThrow("no answer");
    expect(seen).toEqual([true, false]);
  });

  it("signs anew after a refusal, and after a declined signature sends nothing", async () => {
    const submission = new SignedSubmission<string, string>();
    let signatures = 0;
    const post = vi
      .fn<(body: string) => Promise<string>>()
      .mockRejectedValueOnce(new ApiError(409, "NONCE_USED", "taken"))
      .mockResolvedValueOnce("placed");
    await expect(submission.submit(async () => `order-${++signatures}`, post, nothing)).rejects.toThrow("taken");
    expect(submission.resending).toBe(false);
    await expect(submission.submit(async () => Promise.reject(new Error("declined")), post, nothing)).rejects.toThrow("declined");
    expect(post).toHaveBeenCalledTimes(1);
    await expect(submission.submit(async () => `order-${++signatures}`, post, nothing)).resolves.toBe("placed");
    expect(post.mock.calls.map(([body]) => body)).toEqual(["order-1", "order-2"]);
  });

  it("answers a refused resend with the order the earlier send placed, read back by the signed body", async () => {
    // The API forgets an expired order's hash: the copy of one it placed is refused ORDER_EXPIRED.
    const submission = new SignedSubmission<string, string>();
    const sign = vi.fn(async () => "order-1");
    const post = vi
      .fn<(body: string) => Promise<string>>()
      .mockRejectedValueOnce(new ApiError(0, "NETWORK_ERROR", "no answer"))
      .mockRejectedValueOnce(new ApiError(422, "ORDER_EXPIRED", "expired"));
    const readBack = vi.fn(async (body: string) => `${body}: filled`);
    await expect(submission.submit(sign, post, readBack)).rejects.toThrow("no answer");
    await expect(submission.submit(sign, post, readBack)).resolves.toBe("order-1: filled");
    expect(sign).toHaveBeenCalledTimes(1);
    expect(readBack).toHaveBeenCalledWith("order-1");
    expect(submission.resending).toBe(false);
  });

  it("after a refused resend of an order that is not there, signs anew; a failed read-back keeps the body", async () => {
    const submission = new SignedSubmission<string, string>();
    let signatures = 0;
    const sign = async () => `order-${++signatures}`;
    const post = vi
      .fn<(body: string) => Promise<string>>()
      .mockRejectedValueOnce(new ApiError(0, "NETWORK_ERROR", "no answer"))
      .mockRejectedValueOnce(new ApiError(409, "NONCE_USED", "used"))
      .mockRejectedValueOnce(new ApiError(422, "ORDER_EXPIRED", "expired"))
      .mockResolvedValueOnce("placed");
    await expect(submission.submit(sign, post, nothing)).rejects.toThrow("no answer");
    await expect(submission.submit(sign, post, async () => Promise.reject(new ApiError(0, "NETWORK_ERROR", "read"))))
      .rejects.toThrow("read");
    expect(submission.resending).toBe(true); // still unknown
    await expect(submission.submit(sign, post, nothing)).rejects.toThrow("expired");
    await expect(submission.submit(sign, post, nothing)).resolves.toBe("placed");
    expect(post.mock.calls.map(([body]) => body)).toEqual(["order-1", "order-1", "order-1", "order-2"]);
  });

  it("resends by itself, the same body after each delay, until the outcome is known or the delays are spent", async () => {
    const waited: number[] = [];
    const wait = async (ms: number) => waited.push(ms);
    const submission = new SignedSubmission<string, string>();
    const sign = vi.fn(async () => "withdrawal-1");
    const post = vi
      .fn<(body: string) => Promise<string>>()
      .mockRejectedValueOnce(new ApiError(0, "NETWORK_ERROR", "no answer"))
      .mockRejectedValueOnce(new ApiError(502, "HTTP_502", "bad gateway"))
      .mockResolvedValueOnce("accepted");
    await expect(submission.submitWithResends(sign, post, nothing, [500, 1_000, 2_000], wait)).resolves.toBe("accepted");
    expect(waited).toEqual([500, 1_000]);
    expect(sign).toHaveBeenCalledTimes(1);
    const unknown = new SignedSubmission<string, string>();
    const silent = vi.fn(async () => Promise.reject(new ApiError(0, "NETWORK_ERROR", "still no answer")));
    await expect(unknown.submitWithResends(sign, silent, nothing, [1, 2], wait)).rejects.toThrow("still no answer");
    expect(silent).toHaveBeenCalledTimes(3);
    expect(unknown.resending).toBe(true); // kept: a later attempt sends it again, never a new signature
    const refused = new SignedSubmission<string, string>();
    const refusal = vi.fn(async () => Promise.reject(new ApiError(422, "WITHDRAWAL_LIMIT_EXCEEDED", "over")));
    await expect(refused.submitWithResends(sign, refusal, nothing, [1, 2], wait)).rejects.toThrow("over");
    expect(refusal).toHaveBeenCalledTimes(1);
  });

  it("counts no answer and 5xx as unknown, a 4xx refusal as known", () => {
    expect(outcomeUnknown(new ApiError(0, "NETWORK_ERROR", ""))).toBe(true);
    expect(outcomeUnknown(new ApiError(502, "HTTP_502", ""))).toBe(true);
    expect(outcomeUnknown(new ApiError(503, "ENGINE_BUSY", ""))).toBe(true);
    expect(outcomeUnknown(new TypeError("fetch failed"))).toBe(true);
    expect(outcomeUnknown(new ApiError(422, "ORDER_EXPIRED", ""))).toBe(false);
    expect(outcomeUnknown(new ApiError(429, "RATE_LIMITED", ""))).toBe(false);
  });
});
