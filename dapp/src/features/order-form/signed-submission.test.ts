import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../lib/api-client";
import { outcomeUnknown, SignedSubmission } from "./signed-submission";

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
    await expect(submission.submit(sign, post)).rejects.toThrow("no answer");
    expect(submission.resending).toBe(true);
    await expect(submission.submit(sign, post)).rejects.toThrow("may stand");
    await expect(submission.submit(sign, post)).resolves.toBe("placed");
    expect(sign).toHaveBeenCalledTimes(1);
    expect(post.mock.calls.map(([body]) => body)).toEqual(["order-1", "order-1", "order-1"]);
    expect(submission.resending).toBe(false);
  });

  it("signs anew after a refusal, and after a declined signature sends nothing", async () => {
    const submission = new SignedSubmission<string, string>();
    let signatures = 0;
    const post = vi
      .fn<(body: string) => Promise<string>>()
      .mockRejectedValueOnce(new ApiError(409, "NONCE_USED", "taken"))
      .mockResolvedValueOnce("placed");
    await expect(submission.submit(async () => `order-${++signatures}`, post)).rejects.toThrow("taken");
    expect(submission.resending).toBe(false);
    await expect(submission.submit(async () => Promise.reject(new Error("declined")), post)).rejects.toThrow("declined");
    expect(post).toHaveBeenCalledTimes(1);
    await expect(submission.submit(async () => `order-${++signatures}`, post)).resolves.toBe("placed");
    expect(post.mock.calls.map(([body]) => body)).toEqual(["order-1", "order-2"]);
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
