import { QueryClient } from "@tanstack/react-query";
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
