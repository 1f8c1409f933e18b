import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../lib/api-client";
import { fetchNextNonce, isStaleNonceError, NonceCounter, orderNonces } from "./order-nonces";
import { MAKER } from "./test-fixtures";

/** Replace fetch by one that records each URL and answers `body` with `status`. */
function answer(status: number, body: unknown): string[] {
  const urls: string[] = [];
  vi.stubGlobal("fetch", async (url: string) => {
    urls.push(url);
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  });
  return urls;
}

afterEach(() => vi.unstubAllGlobals());

/** A look-up that answers `answers` in turn and counts its calls. */
function lookUps(...answers: (bigint | Error)[]) {
  const calls = { count: 0 };
  const lookUp = async () => {
    const next = answers[calls.count++];
    if (next === undefined || next instanceof Error) throw next ?? new Error("no more answers");
    return next;
  };
  return { calls, lookUp };
}

describe("NonceCounter", () => {
  it("asks once, then counts up locally for each order", async () => {
    const { calls, lookUp } = lookUps(41n);
    const counter = new NonceCounter(lookUp);
    expect([await counter.take(), await counter.take(), await counter.take()]).toEqual([41n, 42n, 43n]);
    expect(calls.count).toBe(1);
  });

  it("shares one look-up between orders put up at once and still gives each its own nonce", async () => {
    const { calls, lookUp } = lookUps(7n, 100n);
    const counter = new NonceCounter(lookUp);
    const taken = await Promise.all([counter.take(), counter.take(), counter.take()]);
    expect(taken.sort()).toEqual([7n, 8n, 9n]);
    expect(calls.count).toBe(1);
  });

  it("asks the API again after forget (a NONCE_USED refusal) and counts on from its answer", async () => {
    const { calls, lookUp } = lookUps(5n, 12n);
    const counter = new NonceCounter(lookUp);
    expect(await counter.take()).toBe(5n);
    counter.forget();
    expect([await counter.take(), await counter.take()]).toEqual([12n, 13n]);
    expect(calls.count).toBe(2);
  });

  it("tries a failed look-up again on the next order", async () => {
    const { calls, lookUp } = lookUps(new Error("down"), 3n);
    const counter = new NonceCounter(lookUp);
    await expect(counter.take()).rejects.toThrow("down");
    expect(await counter.take()).toBe(3n);
    expect(calls.count).toBe(2);
  });
});

describe("orderNonces", () => {
  it("keeps one counter per wallet, whatever the address's case", () => {
    expect(orderNonces(MAKER)).toBe(orderNonces(MAKER.toLowerCase() as typeof MAKER));
    expect(orderNonces(MAKER)).not.toBe(orderNonces("0x0000000000000000000000000000000000000001"));
  });
});

describe("fetchNextNonce", () => {
  it("reads the decimal string of GET /v1/nonce for the maker", async () => {
    const urls = answer(200, { maker: MAKER, nonce: "18446744073709551615" });
    expect(await fetchNextNonce(MAKER)).toBe(18_446_744_073_709_551_615n);
    expect(urls).toEqual([`/v1/nonce?maker=${MAKER}`]);
  });

  it("refuses an answer that is not a decimal string", async () => {
    answer(200, { nonce: 5 });
    await expect(fetchNextNonce(MAKER)).rejects.toThrow("unreadable next nonce");
    answer(200, { nonce: "-1" });
    await expect(fetchNextNonce(MAKER)).rejects.toThrow("unreadable next nonce");
  });

  it("passes any other refusal on", async () => {
    answer(503, { error: { code: "UNAVAILABLE", message: "try later", field: null } });
    await expect(fetchNextNonce(MAKER)).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });
});

describe("isStaleNonceError", () => {
  it("is true for the refusals after which the count must be asked again", () => {
    const refusal = (code: string) => new ApiError(409, code, code);
    expect(["NONCE_USED", "NONCE_BELOW_FLOOR", "INSUFFICIENT_BALANCE"].map((code) => isStaleNonceError(refusal(code)))).toEqual([
      true,
      true,
      false,
    ]);
    expect(isStaleNonceError(new Error("NONCE_USED"))).toBe(false);
  });
});

describe("NonceCounter.peek", () => {
  it("tells the nonce the next take returns, above every one handed out, and null before the first look-up", async () => {
    const counter = new NonceCounter(async () => 10n);
    expect(counter.peek()).toBeNull();
    await counter.take();
    await counter.take();
    expect(counter.peek()).toBe(12n);
    counter.forget();
    expect(counter.peek()).toBeNull();
  });
});
