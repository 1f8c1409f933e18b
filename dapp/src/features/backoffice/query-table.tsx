/** The staff table of a query's rows: loading while the query is, and its refusal in words with a retry (a failed
 *  re-read of rows already shown keeps them: `loadError`); while more pages wait on the server, the export button
 *  says it saves only the rows loaded. */
import type { ComponentProps } from "react";
import { DataTable } from "../../components/ui";
import { useI18n } from "../../i18n";
import { loadError } from "../../lib/query-client";
import { staffErrorText } from "./staff-errors";

/** What the table needs of a react-query result. */
export interface TableQuery {
  isPending: boolean;
  data: unknown;
  error: Error | null;
  refetch(): Promise<unknown>;
  /** A paged query's: whether the server holds more rows than those loaded. */
  hasNextPage?: boolean;
}

type QueryTableProps<Row> = Omit<ComponentProps<typeof DataTable<Row>>, "loading" | "error" | "onRetry" | "exportLabel"> & { query: TableQuery };

export function QueryTable<Row>({ query, ...table }: QueryTableProps<Row>) {
  const { t } = useI18n();
  const failed = loadError(query);
  const partial = query.hasNextPage ? t("backoffice.exportLoaded", { count: table.rows?.length ?? 0 }) : undefined;
  return (
    <DataTable
      {...table}
      exportLabel={partial}
      loading={query.isPending}
      error={failed ? staffErrorText(failed, t) : null}
      onRetry={() => void query.refetch()}
    />
  );
}
