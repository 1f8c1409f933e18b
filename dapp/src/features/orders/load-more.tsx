/** "Load more" under a paged table: the API pages newest first with a cursor. */
import { useI18n } from "../../i18n";

interface Paged {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage(): unknown;
}

export function LoadMore({ query }: { query: Paged }) {
  const { t } = useI18n();
  if (!query.hasNextPage) return null;
  return (
    <button
      type="button"
      className="button button--small button--ghost account-tabs__more"
      onClick={() => void query.fetchNextPage()}
      disabled={query.isFetchingNextPage}
    >
      {query.isFetchingNextPage ? t("common.loading") : t("account.loadMore")}
    </button>
  );
}
