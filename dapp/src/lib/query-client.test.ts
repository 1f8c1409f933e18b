import { QueryClient, QueryObserver } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { ApiError } from "./api-client";
import { loadError, showChanged } from "./query-client";

describe("the answer of a change", () => {
  it("stays shown when a poll sent before the change answers after it", async () => {
    const client = new QueryClient();
    const key = ["ticket", 1];
    let answerPoll: (messages: string[]) => void = () => undefined;
    const observer = new QueryObserver(client, {
      queryKey: key,
      queryFn: () => new Promise<string[]>((resolve) => (answerPoll = resolve)),
    });
    const unsubscribe = observer.subscribe(() => undefined); // the page, polling: a read is on its way
    await showChanged(client, key, ["question", "reply"]);
    answerPoll(["question"]); // read before the reply was stored
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(client.getQueryData(key)).toEqual(["question", "reply"]);
    unsubscribe();
  });
});

describe("the error shown in place of a query's content", () => {
  const shown = ["WETH-USDC"];

  it("is the error when nothing was read", () => {
    const error = new ApiError(502, "HTTP_502", "Bad Gateway");
    expect(loadError({ data: undefined, error })).toBe(error);
  });

  it("is none when a re-read of what is shown failed for a reason that may pass", () => {
    for (const error of [
      new ApiError(0, "NETWORK_ERROR", "no answer"),
      new ApiError(502, "HTTP_502", "Bad Gateway"),
      new ApiError(429, "RATE_LIMITED", "slow down", null, 1),
      new TypeError("Failed to fetch"),
    ]) {
      expect(loadError({ data: shown, error })).toBeNull();
    }
  });

  it("is the refusal when a re-read was refused: what is shown is gone or no longer permitted", () => {
    const gone = new ApiError(404, "TICKET_NOT_FOUND", "no such ticket");
    const forbidden = new ApiError(403, "STAFF_FORBIDDEN", "the support role may not do this");
    expect(loadError({ data: shown, error: gone })).toBe(gone);
    expect(loadError({ data: shown, error: forbidden })).toBe(forbidden);
  });

  it("is none when the last read passed", () => {
    expect(loadError({ data: shown, error: null })).toBeNull();
    expect(loadError({ data: undefined, error: null })).toBeNull();
  });
});
