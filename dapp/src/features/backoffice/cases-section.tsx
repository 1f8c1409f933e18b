/**
 * "Cases": the cases opened from alerts, newest first, filtered by status; the one chosen (here, or just
 * opened from the Alerts section) is shown below with its alerts, notes and actions (./case-detail).
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { csvTime, LoadMore, SelectField, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import { useStore } from "../../lib/store";
import { CaseDetailView } from "./case-detail";
import { selectedCase } from "./case-selection";
import { CASE_STATUS_NAMES, CASE_STATUSES } from "./cases";
import { QueryTable } from "./query-table";
import { staffApi } from "./staff-api";
import type { Case, CaseStatus, StaffMember } from "./staff-types";

export function CasesSection({ member }: { member: StaffMember }) {
  const { t, formatDateTime } = useI18n();
  const [status, setStatus] = useState<CaseStatus | "">("");
  const selected = useStore(selectedCase);
  const list = useInfiniteQuery({
    queryKey: ["staff", "cases", "list", status],
    queryFn: ({ pageParam }) => staffApi.cases(status ? { status } : {}, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
  });

  const columns: Column<Case>[] = [
    { id: "id", header: t("backoffice.alerts.col.id"), cell: (c) => `#${c.id}`, csv: (c) => String(c.id) },
    { id: "title", header: t("backoffice.cases.col.title"), cell: (c) => <span className="cell-wrap">{c.title}</span>, csv: (c) => c.title },
    { id: "subject", header: t("backoffice.alerts.col.subject"), cell: (c) => (c.subject ? <code>{c.subject}</code> : t("common.none")), csv: (c) => c.subject ?? "" },
    { id: "status", header: t("backoffice.alerts.col.status"), cell: (c) => t(CASE_STATUS_NAMES[c.status]), csv: (c) => c.status },
    { id: "assignee", header: t("backoffice.cases.assignee"), cell: (c) => c.assignee ?? t("common.none"), csv: (c) => c.assignee ?? "" },
    { id: "opened", header: t("backoffice.cases.col.opened"), cell: (c) => formatDateTime(c.createdAt), csv: (c) => csvTime(c.createdAt) },
    { id: "updated", header: t("backoffice.cases.col.updated"), cell: (c) => formatDateTime(c.updatedAt), csv: (c) => csvTime(c.updatedAt) },
    {
      id: "action",
      header: t("kyc.col.action"),
      cell: (c) => (
        <button
          type="button"
          className="button button--small"
          onClick={() => selectedCase.set(c.id)}
          aria-pressed={selected === c.id}
          aria-label={t("backoffice.cases.viewNamed", { id: c.id, title: c.title })}
        >
          {t("backoffice.cases.view")}
        </button>
      ),
    },
  ];

  return (
    <section className="backoffice-section">
      <h2>{t("backoffice.cases.title")}</h2>
      <div className="backoffice-section__filters">
        <SelectField
          label={t("backoffice.cases.statusFilter")}
          value={status}
          onChange={(event) => setStatus(event.target.value as CaseStatus | "")}
          options={[["", t("backoffice.alerts.any")], ...CASE_STATUSES.map((s) => [s, t(CASE_STATUS_NAMES[s])] as const)]}
        />
      </div>
      <QueryTable
        label={t("backoffice.cases.title")}
        columns={columns}
        rows={list.data?.pages.flatMap((page) => page.cases)}
        rowKey={(c) => String(c.id)}
        query={list}
        empty={t("backoffice.cases.empty")}
        csvFileName="cases.csv"
      />
      <LoadMore query={list} />
      {selected !== null ? <CaseDetailView key={selected} id={selected} member={member} /> : null}
    </section>
  );
}
