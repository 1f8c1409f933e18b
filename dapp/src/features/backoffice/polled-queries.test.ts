import { QueryClient } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CONVERSATION_POLL_MS, frozenQuery, kycQueueQuery, QUEUE_POLL_MS, readTracker, supportQueueQuery, ticketQuery } from "./polled-queries";

interface Sent {
  url: string;
  background: boolean;
}

let sent: Sent[] = [];

beforeEach(() => {
  sent = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    sent.push({ url: url.split("?")[0] ?? url, background: (init.headers as Record<string, string>)["X-Staff-Background"] === "1" });
    const body = { tickets: [], submissions: [], frozen: [], next: null, ticket: {}, messages: [] };
    return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
  });
});
afterEach(() => vi.unstubAllGlobals());

/** The page's first read of a query, then the reads its interval makes (react-query runs no timers outside a browser). */
async function firstReadAndPoll(fetchFirst: (client: QueryClient) => Promise<unknown>) {
  const client = new QueryClient();
  await fetchFirst(client);
  await client.refetchQueries();
  await client.refetchQueries();
  return sent;
}

describe("the work queues staff keep open", () => {
  const queues = [
    ["the ticket queue", supportQueueQuery({ status: "", assignee: "" }, readTracker()), "/v1/staff/support/tickets"],
    ["the KYC queue", kycQueueQuery("pending", readTracker()), "/v1/staff/kyc/submissions"],
    ["the frozen deposits", frozenQuery("held", readTracker()), "/v1/staff/frozen"],
  ] as const;

  for (const [name, options, path] of queues) {
    it(`reads ${name} again every 15 s as a background read, so an open page still idles out`, async () => {
      expect(options.refetchInterval).toBe(QUEUE_POLL_MS);
      expect(QUEUE_POLL_MS).toBe(15_000);
      const reads = await firstReadAndPoll((client) => client.fetchInfiniteQuery(options as Parameters<QueryClient["fetchInfiniteQuery"]>[0]));
      expect(reads).toEqual([
        { url: path, background: false },
        { url: path, background: true },
        { url: path, background: true },
      ]);
    });
  }

  it("reads an open ticket's conversation again every 10 s, in the background", async () => {
    const options = ticketQuery(7, readTracker());
    expect(options.refetchInterval).toBe(CONVERSATION_POLL_MS);
    expect(CONVERSATION_POLL_MS).toBe(10_000);
    const reads = await firstReadAndPoll((client) => client.fetchQuery(options));
    expect(reads.map((r) => r.background)).toEqual([false, true, true]);
    expect(new Set(reads.map((r) => r.url))).toEqual(new Set(["/v1/staff/support/tickets/7"]));
  });
});

describe("a read tracker", () => {
  it("calls the first read of each page the member's and every read after it a poll", () => {
    const polled = readTracker();
    expect([polled(["q", null]), polled(["q", "c-2"]), polled(["q", null]), polled(["q", "c-2"])]).toEqual([false, false, true, true]);
  });
});
