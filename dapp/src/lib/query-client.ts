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

/** Show `data`, the answer of a change, as the query `key`'s now. A read of `key` still on its way (a poll) was
 *  answered from before the change: landing after it, it would show the older state until the next poll, so it
 *  is cancelled first. */
export async function showChanged<T>(queryClient: QueryClient, key: QueryKey, data: T): Promise<void> {
  await queryClient.cancelQueries({ queryKey: key, exact: true });
  queryClient.setQueryData(key, data);
}
