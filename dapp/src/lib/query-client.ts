import { QueryClient, type QueryKey } from "@tanstack/react-query";
import { ApiError } from "./api-client";

/** Server state: API errors the client caused (4xx) are not retried; network and 5xx errors twice. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        refetchOnWindowFocus: false,
        retry: (failures, error) =>
          failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      },
    },
  });
}

/** The error to show in place of a query's content, or null. A re-read that failed for a reason that may pass (no
 *  answer, a 5xx, a 429) while content is shown is not one: the page keeps what it read, and with it the state of
 *  what is inside (a draft, an order or withdrawal whose answer never came and must be resent as signed), rather
 *  than unmounting it for an error box until the next poll. A refusal (a 4xx: gone, no longer permitted) is. */
export function loadError(query: { data: unknown; error: Error | null }): Error | null {
  const { data, error } = query;
  if (error === null || data === undefined) return error;
  const refused = error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429;
  return refused ? error : null;
}

/** Show `data`, the answer of a change, as the query `key`'s now. A read of `key` still on its way (a poll) was
 *  answered from before the change: landing after it, it would show the older state until the next poll, so it
 *  is cancelled first. */
export async function showChanged<T>(queryClient: QueryClient, key: QueryKey, data: T): Promise<void> {
  await queryClient.cancelQueries({ queryKey: key, exact: true });
  queryClient.setQueryData(key, data);
}
