/**
 * One case: what it is about, its alerts and notes, and (for staff with cases.manage) the assignment, a new
 * note, and the status buttons: start the investigation, escalate, close with a reason. The report for the
 * regulator downloads as JSON or HTML. Every change is in the audit log (the server writes it).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { DataTable, SelectField, StatusMessage, TextAreaField, useToast, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import { unsentRest } from "../../lib/drafts";
import { loadError } from "../../lib/query-client";
import { ALERT_STATUS_NAMES } from "./alerts";
import { SeverityBadge, useKindName } from "./alert-words";
import { CASE_ACTIONS, CASE_STATUS_NAMES, MAX_NOTE_CHARS, mayMove, noteProblem } from "./cases";
import { assigneeChoices } from "./forms";
import { can } from "./permissions";
import { ReasonDialog } from "./reason-dialog";
import { caseReportUrl, staffApi } from "./staff-api";
import { StaffErrorAlert } from "./staff-error-alert";
import { staffErrorText } from "./staff-errors";
import type { Alert, CaseStatus, StaffMember } from "./staff-types";

export function CaseDetailView({ id, member }: { id: number; member: StaffMember }) {
  const { t, formatDateTime } = useI18n();
  const ids = useId();
  const kindName = useKindName();
  const detail = useQuery({ queryKey: ["staff", "cases", "detail", id], queryFn: () => staffApi.caseDetail(id) });

  const failed = loadError(detail);
  if (failed) return <StatusMessage kind="error">{staffErrorText(failed, t)}</StatusMessage>;
  if (!detail.data) return <StatusMessage kind="loading">{t("common.loading")}</StatusMessage>;
  const { case: c, alerts, notes } = detail.data;
  const manage = can(member, "cases.manage") && c.status !== "closed";

  const alertColumns: Column<Alert>[] = [
    { id: "id", header: t("backoffice.alerts.col.id"), cell: (a) => `#${a.id}` },
    { id: "severity", header: t("backoffice.alerts.col.severity"), cell: (a) => <SeverityBadge severity={a.severity} /> },
    { id: "kind", header: t("backoffice.alerts.col.kind"), cell: (a) => kindName(a.kind) },
    { id: "message", header: t("backoffice.alerts.col.message"), cell: (a) => <span className="cell-wrap">{a.message}</span> },
    { id: "status", header: t("backoffice.alerts.col.status"), cell: (a) => t(ALERT_STATUS_NAMES[a.status]) },
  ];

  return (
    <article className="panel staff-detail" aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`} className="panel__title">
        {t("backoffice.cases.detailTitle", { id: c.id, title: c.title })}
      </h3>
      <div className="staff-detail__body">
        <dl className="facts">
          <dt>{t("backoffice.alerts.col.status")}</dt>
          <dd>{t(CASE_STATUS_NAMES[c.status])}</dd>
          <dt>{t("backoffice.alerts.col.subject")}</dt>
          <dd>{c.subject ? <code>{c.subject}</code> : t("common.none")}</dd>
          <dt>{t("backoffice.cases.assignee")}</dt>
          <dd>{c.assignee ?? t("backoffice.cases.unassigned")}</dd>
          <dt>{t("backoffice.cases.openedBy")}</dt>
          <dd>
            {c.createdBy} ({formatDateTime(c.createdAt)})
          </dd>
          <dt>{t("backoffice.cases.col.updated")}</dt>
          <dd>{formatDateTime(c.updatedAt)}</dd>
          {c.closeReason ? (
            <>
              <dt>{t("backoffice.cases.closeReason")}</dt>
              <dd className="cell-wrap">{c.closeReason}</dd>
            </>
          ) : null}
        </dl>
        <div className="staff-card__actions" role="group" aria-label={t("backoffice.cases.report")}>
          <a className="button button--small" href={caseReportUrl(c.id, "json")} download={`case-${c.id}.json`}>
            {t("backoffice.cases.exportJson")}
          </a>
          <a className="button button--small" href={caseReportUrl(c.id, "html")} download={`case-${c.id}.html`}>
            {t("backoffice.cases.exportHtml")}
          </a>
        </div>
        {manage ? <CaseActions id={c.id} status={c.status} assignee={c.assignee ?? member.email} /> : null}
        <h4>{t("backoffice.cases.alerts")}</h4>
        <DataTable label={t("backoffice.cases.alerts")} columns={alertColumns} rows={alerts} rowKey={(a) => String(a.id)} empty={t("backoffice.alerts.empty")} />
        <h4 id={`${ids}-notes`}>{t("backoffice.cases.notes")}</h4>
        {notes.length === 0 ? (
          <p className="muted">{t("backoffice.cases.noNotes")}</p>
        ) : (
          <ol className="case-notes" aria-labelledby={`${ids}-notes`}>
            {notes.map((note) => (
              <li key={note.id}>
                <p className="muted">{t("backoffice.cases.noteBy", { author: note.author, time: formatDateTime(note.createdAt) })}</p>
                <p className="cell-wrap case-notes__body">{note.body}</p>
              </li>
            ))}
          </ol>
        )}
        {manage ? <NoteForm id={c.id} /> : null}
      </div>
    </article>
  );
}

/** Read the case again (detail and lists) after a change. */
function useRefresh(id: number) {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: ["staff", "cases", "detail", id] });
    void queryClient.invalidateQueries({ queryKey: ["staff", "cases", "list"] });
    void queryClient.invalidateQueries({ queryKey: ["staff", "alerts"] });
  };
}

function CaseActions({ id, status, assignee }: { id: number; status: CaseStatus; assignee: string }) {
  const { t } = useI18n();
  const toast = useToast();
  const refresh = useRefresh(id);
  const people = useQuery({ queryKey: ["staff", "cases", "assignees"], queryFn: staffApi.caseAssignees, staleTime: 60_000 });
  const [who, setWho] = useState(assignee);
  const [closing, setClosing] = useState(false);
  const assign = useMutation({
    mutationFn: (email: string) => staffApi.assignCase(id, email || null),
    onSuccess: (updated) => {
      refresh();
      toast.show({ kind: "success", title: updated.assignee ? t("backoffice.cases.assigned", { assignee: updated.assignee }) : t("backoffice.cases.unassignedToast") });
    },
  });
  const move = useMutation({
    mutationFn: ({ to, reason }: { to: CaseStatus; reason: string | null }) => staffApi.setCaseStatus(id, to, reason),
    onSuccess: (_updated, { to }) => {
      setClosing(false);
      refresh();
      const action = CASE_ACTIONS.find((a) => a.to === to);
      if (action) toast.show({ kind: "success", title: t(action.done, { id }) });
    },
  });
  const options = [["", t("backoffice.cases.nobody")] as const, ...assigneeChoices(people.data?.assignees ?? [], assignee).map((e) => [e, e] as const)];

  function submitAssign(event: FormEvent) {
    event.preventDefault();
    assign.mutate(who);
  }

  return (
    <>
      <div className="staff-card__actions" role="group" aria-label={t("backoffice.cases.statusActions")}>
        {CASE_ACTIONS.map((action) => (
          <button
            key={action.to}
            type="button"
            className={`button button--small ${action.to === "closed" ? "button--sell" : ""}`}
            disabled={!mayMove(status, action.to) || move.isPending}
            onClick={() => (action.to === "closed" ? setClosing(true) : move.mutate({ to: action.to, reason: null }))}
          >
            {t(action.label)}
          </button>
        ))}
      </div>
      <StaffErrorAlert error={closing ? null : move.error} />
      <form className="staff-form staff-form--inline" onSubmit={submitAssign} noValidate>
        <SelectField
          label={t("backoffice.cases.assignee")}
          value={who}
          onChange={(event) => setWho(event.target.value)}
          options={options}
          hint={t("backoffice.cases.assigneeHint")}
        />
        <button type="submit" className="button button--small" disabled={assign.isPending}>
          {t("backoffice.cases.assign")}
        </button>
      </form>
      <StaffErrorAlert error={assign.error} />
      <ReasonDialog
        key={closing ? "closing" : "idle"}
        open={closing}
        title={t("backoffice.cases.closeTitle", { id })}
        confirm={t("backoffice.cases.close")}
        danger
        pending={move.isPending}
        error={move.error}
        onConfirm={(reason) => move.mutate({ to: "closed", reason })}
        onClose={() => {
          setClosing(false);
          move.reset();
        }}
      >
        <p>{t("backoffice.cases.closeText")}</p>
      </ReasonDialog>
    </>
  );
}

function NoteForm({ id }: { id: number }) {
  const { t } = useI18n();
  const refresh = useRefresh(id);
  const [body, setBody] = useState("");
  const [attempted, setAttempted] = useState(false);
  const problem = noteProblem(body);
  const add = useMutation({
    mutationFn: (text: string) => staffApi.addCaseNote(id, text.trim()),
    onSuccess: (_, text) => {
      setBody((current) => unsentRest(current, text));
      setAttempted(false);
      refresh();
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (!problem) add.mutate(body);
  }

  return (
    <form className="staff-form" onSubmit={submit} noValidate>
      <TextAreaField
        label={t("backoffice.cases.note")}
        rows={3}
        maxLength={MAX_NOTE_CHARS}
        value={body}
        onChange={(event) => setBody(event.target.value)}
        error={attempted && problem ? t(problem.key, problem.params) : null}
      />
      <div className="staff-card__actions">
        <button type="submit" className="button button--small button--primary" disabled={add.isPending}>
          {t("backoffice.cases.addNote")}
        </button>
      </div>
      <StaffErrorAlert error={add.error} />
    </form>
  );
}
