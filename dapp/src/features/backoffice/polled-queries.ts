/**
 * The work queues staff keep open (the ticket queue, an open ticket, the KYC queue, the frozen deposits), read
 * again on their own: the app does not refetch on focus, and a queue that never moves hides new work. The first
 * read of a page is the member's asking; reading it again is the page's own (a background read the server does
 * not count as activity, so a page left open still idles out).
 */
import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import { staffApi } from "./staff-api";
import type { FrozenState, SubmissionStatus } from "./staff-types";
import { supportStaffApi, type QueueFilter } from "./support-desk";

/** How often a queue is read again. */
export const QUEUE_POLL_MS = 15_000;
/** How often an open ticket's conversation is read again: an answer may come while staff read it. */
export const CONVERSATION_POLL_MS = 10_000;

/** Whether a read of `page` is a repeat (a poll): false the first time a tracker sees it, true after. */
export type ReadTracker = (page: unknown) => boolean;

export function readTracker(): ReadTracker {
  const read = new Set<string>();
  return (page) => {
    const id = JSON.stringify(page);
    const polled = read.has(id);
    read.add(id);
    return polled;
  };
}

/** A paged queue read again every QUEUE_POLL_MS: `read(cursor, background)` reads one page. */
function polledQueue<Page extends { next: string | null }>(
  queryKey: readonly unknown[],
  polled: ReadTracker,
  read: (cursor: string | null, background: boolean) => Promise<Page>,
) {
  return infiniteQueryOptions({
    queryKey,
    queryFn: ({ pageParam }: { pageParam: string | null }) => read(pageParam, polled([queryKey, pageParam])),
    initialPageParam: null as string | null,
    getNextPageParam: (page: Page) => page.next,
    refetchInterval: QUEUE_POLL_MS,
  });
}

export function supportQueueQuery(filter: QueueFilter, polled: ReadTracker) {
  return polledQueue(["staff", "support", "queue", filter], polled, (cursor, background) =>
    supportStaffApi.queue(filter, cursor, background),
  );
}

export function ticketQuery(id: number, polled: ReadTracker) {
  const queryKey = ["staff", "support", "ticket", id];
  return queryOptions({
    queryKey,
    queryFn: () => supportStaffApi.ticket(id, polled(queryKey)),
    refetchInterval: CONVERSATION_POLL_MS,
  });
}

export function kycQueueQuery(status: SubmissionStatus, polled: ReadTracker) {
  return polledQueue(["staff", "kyc", "list", status], polled, (cursor, background) =>
    staffApi.submissions(status, cursor, background),
  );
}

export function frozenQuery(filter: FrozenState | "all", polled: ReadTracker) {
  return polledQueue(["staff", "frozen", filter], polled, (cursor, background) =>
    staffApi.frozen(filter, cursor, background),
  );
}
