/**
 * "Support": the ticket queue (newest first, by status and assignee), the ticket chosen with its whole
 * conversation and actions (./support-ticket), the saved replies (./support-saved-replies) and the desk's
 * daily figures under "Statistics" (./support-stats). Every route needs support.manage; the server checks it.
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { csvTime, LoadMore, SelectField, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import { CATEGORY_NAMES, STATUSES, STATUS_NAMES, type TicketStatus } from "../support";
import { readTracker, supportQueueQuery } from "./polled-queries";
import { QueryTable } from "./query-table";
import type { StaffMember } from "./staff-types";
import type { QueueFilter, StaffTicket } from "./support-desk";
import { SavedReplies } from "./support-saved-replies";
import { SupportStats } from "./support-stats";
import { SupportTicketView } from "./support-ticket";

export function SupportSection({ member }: { member: StaffMember }) {
  const { t, formatDateTime } = useI18n();
  const [filter, setFilter] = useState<QueueFilter>({ status: "", assignee: "" });
  const [selected, setSelected] = useState<number | null>(null);
  const [polled] = useState(readTracker);
  const queue = useInfiniteQuery(supportQueueQuery(filter, polled));

  const columns: Column<StaffTicket>[] = [
    { id: "id", header: t("support.col.id"), cell: (ticket) => `#${ticket.id}`, csv: (ticket) => String(ticket.id) },
    { id: "subject", header: t("support.col.subject"), cell: (ticket) => <span className="cell-wrap">{ticket.subject}</span>, csv: (ticket) => ticket.subject },
    { id: "category", header: t("support.col.category"), cell: (ticket) => t(CATEGORY_NAMES[ticket.category]), csv: (ticket) => ticket.category },
    { id: "status", header: t("support.col.status"), cell: (ticket) => t(STATUS_NAMES[ticket.status]), csv: (ticket) => ticket.status },
    { id: "wallet", header: t("supportDesk.col.wallet"), cell: (ticket) => <code>{ticket.address}</code>, csv: (ticket) => ticket.address },
    { id: "assignee", header: t("supportDesk.col.assignee"), cell: (ticket) => ticket.assignee ?? t("supportDesk.unassigned"), csv: (ticket) => ticket.assignee ?? "" },
    { id: "opened", header: t("supportDesk.col.opened"), cell: (ticket) => formatDateTime(ticket.createdAt), csv: (ticket) => csvTime(ticket.createdAt) },
    { id: "updated", header: t("support.col.updated"), cell: (ticket) => formatDateTime(ticket.updatedAt), csv: (ticket) => csvTime(ticket.updatedAt) },
    {
      id: "action",
      header: t("support.col.action"),
      cell: (ticket) => (
        <button
          type="button"
          className="button button--small"
          onClick={() => setSelected(ticket.id)}
          aria-pressed={selected === ticket.id}
          aria-label={t("supportDesk.viewNamed", { id: ticket.id, subject: ticket.subject })}
        >
          {t("supportDesk.view")}
        </button>
      ),
    },
  ];

  return (
    <section className="backoffice-section">
      <h2>{t("supportDesk.title")}</h2>
      <div className="backoffice-section__filters">
        <SelectField
          label={t("supportDesk.statusFilter")}
          value={filter.status}
          onChange={(event) => setFilter({ ...filter, status: event.target.value as TicketStatus | "" })}
          options={[["", t("supportDesk.any")], ...STATUSES.map((s) => [s, t(STATUS_NAMES[s])] as const)]}
        />
        <SelectField
          label={t("supportDesk.assigneeFilter")}
          value={filter.assignee}
          onChange={(event) => setFilter({ ...filter, assignee: event.target.value })}
          options={[
            ["", t("supportDesk.any")],
            [member.email, t("supportDesk.mine")],
            ["none", t("supportDesk.unassigned")],
          ]}
        />
      </div>
      <QueryTable
        label={t("supportDesk.title")}
        columns={columns}
        rows={queue.data?.pages.flatMap((page) => page.tickets)}
        rowKey={(ticket) => String(ticket.id)}
        query={queue}
        empty={t("supportDesk.empty")}
        csvFileName="tickets.csv"
      />
      <LoadMore query={queue} />
      {selected !== null ? <SupportTicketView key={selected} id={selected} /> : null}
      <SavedReplies />
      <SupportStats />
    </section>
  );
}
