/** The staff table of a query's rows: loading while the query is, and its refusal in words with a retry. */
import type { ComponentProps } from "react";
import { DataTable } from "../../components/ui";
import { useI18n } from "../../i18n";
import { staffErrorText } from "./staff-errors";

/** What the table needs of a react-query result. */
export interface TableQuery {
  isPending: boolean;
  error: unknown;
  refetch(): Promise<unknown>;
}

type QueryTableProps<Row> = Omit<ComponentProps<typeof DataTable<Row>>, "loading" | "error" | "onRetry"> & { query: TableQuery };

export function QueryTable<Row>({ query, ...table }: QueryTableProps<Row>) {
  const { t } = useI18n();
  return <DataTable {...table} loading={query.isPending} error={query.error ? staffErrorText(query.error, t) : null} onRetry={() => void query.refetch()} />;
}
