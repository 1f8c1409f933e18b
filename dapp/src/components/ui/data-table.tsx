/**
 * The one table of the app: header, rows, loading/empty/error states, CSV export of the rows,
 * and windowed rendering for long lists (only the rows in view are in the DOM).
 */
import { useState, type ReactNode, type UIEvent } from "react";
import { useI18n } from "../../i18n";
import { downloadText, toCsv } from "./csv";
import { StatusMessage } from "./status-message";
import "./data-table.css";

export interface Column<Row> {
  id: string;
  header: string;
  cell(row: Row): ReactNode;
  /** The cell as CSV text; columns without it are left out of the export. */
  csv?(row: Row): string;
  align?: "start" | "end";
}

interface DataTableProps<Row> {
  /** The table's accessible name. */
  label: string;
  columns: readonly Column<Row>[];
  rows: readonly Row[] | undefined;
  rowKey(row: Row): string;
  loading?: boolean;
  /** An error in words; replaces the rows. */
  error?: string | null;
  onRetry?(): void;
  /** What an empty table says ("No open orders"). */
  empty: string;
  /** With a file name, an "Export CSV" button saves the rows. */
  csvFileName?: string;
  /** The export button's words, when "Export CSV" would not say what it saves (only the rows loaded so far). */
  exportLabel?: string;
  /** Pixel height of the scroll area; rows beyond it are windowed. */
  height?: number;
}

const ROW_HEIGHT = 30;
const WINDOW_FROM = 100; // shorter lists render every row
const OVERSCAN = 10;

/** The CSV file of `rows`: one column per column with a `csv` value, under its header. */
export function tableCsv<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const exported = columns.filter((column) => column.csv);
  return toCsv(
    exported.map((column) => column.header),
    rows.map((row) => exported.map((column) => column.csv?.(row) ?? "")),
  );
}

export function DataTable<Row>(props: DataTableProps<Row>) {
  const { label, columns, rows, rowKey, loading, error, onRetry, empty, csvFileName, exportLabel, height = 280 } = props;
  const { t } = useI18n();
  const [scrollTop, setScrollTop] = useState(0);

  const list = rows ?? [];
  const windowed = list.length > WINDOW_FROM;
  const first = windowed ? Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN) : 0;
  const last = windowed ? Math.min(list.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN) : list.length;

  function exportCsv() {
    downloadText(csvFileName ?? "export.csv", tableCsv(columns, list));
  }

  let state: ReactNode = null;
  if (error) state = <StatusMessage kind="error" action={onRetry ? { label: t("common.retry"), onClick: onRetry } : undefined}>{error}</StatusMessage>;
  else if (loading && !rows) state = <StatusMessage kind="loading">{t("common.loading")}</StatusMessage>;
  else if (list.length === 0) state = <StatusMessage kind="empty">{empty}</StatusMessage>;

  return (
    <div className="data-table">
      {csvFileName ? (
        <div className="data-table__toolbar">
          <button type="button" className="button button--small" onClick={exportCsv} disabled={list.length === 0}>
            {exportLabel ?? t("common.exportCsv")}
          </button>
        </div>
      ) : null}
      <div
        className="data-table__scroll"
        style={{ maxHeight: height }}
        onScroll={windowed ? (event: UIEvent<HTMLDivElement>) => setScrollTop(event.currentTarget.scrollTop) : undefined}
        tabIndex={0}
        role="region"
        aria-label={label}
      >
        <table aria-label={label} aria-rowcount={list.length + 1}>
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column.id} scope="col" className={column.align === "end" ? "num" : undefined}>
                  {column.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {state === null && first > 0 ? <tr aria-hidden="true" style={{ height: first * ROW_HEIGHT }} /> : null}
            {state === null
              ? list.slice(first, last).map((row, offset) => (
                  <tr key={rowKey(row)} aria-rowindex={first + offset + 2} style={windowed ? { height: ROW_HEIGHT } : undefined}>
                    {columns.map((column) => (
                      <td key={column.id} className={column.align === "end" ? "num" : undefined}>
                        {column.cell(row)}
                      </td>
                    ))}
                  </tr>
                ))
              : null}
            {state === null && last < list.length ? <tr aria-hidden="true" style={{ height: (list.length - last) * ROW_HEIGHT }} /> : null}
          </tbody>
        </table>
        {state}
      </div>
    </div>
  );
}
