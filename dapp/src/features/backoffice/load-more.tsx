/** "Load more" under a paged staff list: the next page of an infinite query, while there is one. */
import { useI18n } from "../../i18n";

export interface PagedQuery {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage(): Promise<unknown>;
}

export function LoadMore({ query }: { query: PagedQuery }) {
  const { t } = useI18n();
  if (!query.hasNextPage) return null;
  return (
    <button type="button" className="button button--small button--ghost" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
      {t("account.loadMore")}
    </button>
  );
}
