/** "Load more" under a paged list (an infinite query over the API's cursor pages), while there is a next page. */
import { useI18n } from "../../i18n";

/** What the button needs of a react-query infinite query. */
export interface PagedQuery {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage(): unknown;
}

export function LoadMore({ query, className = "" }: { query: PagedQuery; className?: string }) {
  const { t } = useI18n();
  if (!query.hasNextPage) return null;
  return (
    <button
      type="button"
      className={`button button--small button--ghost ${className}`.trim()}
      onClick={() => void query.fetchNextPage()}
      disabled={query.isFetchingNextPage}
    >
      {query.isFetchingNextPage ? t("common.loading") : t("common.loadMore")}
    </button>
  );
}
