/**
 * One ticket for staff: its facts (wallet, status, assignee, times to first response and to resolution), the
 * whole conversation with internal notes marked, attachments opened on demand (each view audit-logged by
 * the server), the assignment, the status buttons, and the answer box: a public reply or, with the toggle,
 * an internal note the user never sees, each with an optional file (a note's stays staff-only); a saved reply
 * can be put into it.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { FileViewer, SelectField, StatusMessage, TextAreaField, useToast } from "../../components/ui";
import { useI18n } from "../../i18n";
import { showChanged } from "../../lib/query-client";
import {
  AttachmentField,
  CATEGORY_NAMES,
  MAX_MESSAGE_CHARS,
  STATUS_NAMES,
  attachmentProblem,
  durationText,
  messageProblem,
  type TicketStatus,
  useMessageDraft,
} from "../support";
import { ConfirmDialog, type ConfirmDialogProps } from "./confirm-dialog";
import { assigneeChoices } from "./forms";
import { readTracker, ticketQuery } from "./polled-queries";
import { StaffErrorAlert } from "./staff-error-alert";
import { staffErrorText } from "./staff-errors";
import {
  KIND_NAMES,
  STATUS_ACTIONS,
  asksFirst,
  mayMove,
  supportStaffApi,
  withSavedReply,
  type StaffMessage,
  type StaffTicket,
  type StaffTicketDetail,
} from "./support-desk";

// An internal note stands out from what the user sees (its line also says "Internal note").
const NOTE_STYLE = { borderLeft: "3px solid var(--warning, #d4a017)", paddingLeft: 8 } as const;

export function SupportTicketView({ id }: { id: number }) {
  const { t, formatDateTime } = useI18n();
  const ids = useId();
  const [polled] = useState(readTracker);
  const detail = useQuery(ticketQuery(id, polled));

  // A failed poll keeps the conversation on screen (and the answer being typed in it); only a first read's error shows.
  if (!detail.data)
    return detail.error ? <StatusMessage kind="error">{staffErrorText(detail.error, t)}</StatusMessage> : <StatusMessage kind="loading">{t("common.loading")}</StatusMessage>;
  const { ticket, messages } = detail.data;

  return (
    <article className="panel staff-detail" aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`} className="panel__title">
        {t("supportDesk.detailTitle", { id: ticket.id, subject: ticket.subject })}
      </h3>
      <div className="staff-detail__body">
        <dl className="facts">
          <dt>{t("support.col.status")}</dt>
          <dd>{t(STATUS_NAMES[ticket.status])}</dd>
          <dt>{t("support.col.category")}</dt>
          <dd>{t(CATEGORY_NAMES[ticket.category])}</dd>
          <dt>{t("supportDesk.col.wallet")}</dt>
          <dd>
            <code>{ticket.address}</code>
          </dd>
          <dt>{t("supportDesk.col.assignee")}</dt>
          <dd>{ticket.assignee ?? t("supportDesk.unassigned")}</dd>
          <dt>{t("supportDesk.col.opened")}</dt>
          <dd>{formatDateTime(ticket.createdAt)}</dd>
          <dt>{t("support.firstResponse")}</dt>
          <dd>{durationText(t, ticket.firstResponseMs, "support.notYet")}</dd>
          <dt>{t("support.resolution")}</dt>
          <dd>{durationText(t, ticket.resolutionMs, "support.notYet")}</dd>
        </dl>
        <StatusButtons ticket={ticket} />
        {ticket.status !== "closed" ? <Assign ticket={ticket} /> : null}
        <h4 id={`${ids}-conversation`}>{t("support.conversation")}</h4>
        <ol className="case-notes" aria-labelledby={`${ids}-conversation`}>
          {messages.map((message) => (
            <MessageItem key={message.id} message={message} ticketId={ticket.id} />
          ))}
        </ol>
        {ticket.status !== "closed" ? <AnswerForm id={ticket.id} /> : <p className="muted">{t("support.closedNote")}</p>}
      </div>
    </article>
  );
}

/** After a change: show the ticket the server answered with (no second read), and read the queue again. */
function useRefresh(id: number) {
  const queryClient = useQueryClient();
  return (updated: StaffTicketDetail) => {
    void showChanged(queryClient, ["staff", "support", "ticket", id], updated);
    void queryClient.invalidateQueries({ queryKey: ["staff", "support", "queue"] });
  };
}

function MessageItem({ message, ticketId }: { message: StaffMessage; ticketId: number }) {
  const { t, formatDateTime, formatNumber } = useI18n();
  return (
    <li style={message.kind === "note" ? NOTE_STYLE : undefined}>
      <p className="muted">{t("supportDesk.messageBy", { kind: t(KIND_NAMES[message.kind]), author: message.author, time: formatDateTime(message.createdAt) })}</p>
      {/* server-rendered, sanitized Markdown (backend/markup.py) */}
      <div className="cell-wrap" dangerouslySetInnerHTML={{ __html: message.html }} />
      {message.attachments.map((file) => (
        <FileViewer
          key={file.id}
          fetchFile={() => supportStaffApi.attachment(file.id)}
          label={t("support.attachment")}
          fileStem={`ticket-${ticketId}-${file.id}`}
          contentType={file.contentType}
          openLabel={t("support.attachmentOpen", { type: file.contentType, kilobytes: formatNumber(Math.ceil(file.size / 1024)) })}
          downloadLabel={t("support.attachmentDownload")}
          errorText={(error) => staffErrorText(error, t)}
        />
      ))}
    </li>
  );
}

function StatusButtons({ ticket }: { ticket: StaffTicket }) {
  const { t } = useI18n();
  const toast = useToast();
  const refresh = useRefresh(ticket.id);
  const [closing, setClosing] = useState(false);
  const move = useMutation({
    mutationFn: (to: TicketStatus) => supportStaffApi.setStatus(ticket.id, to),
    onSuccess: (updated) => {
      setClosing(false);
      refresh(updated);
      toast.show({ kind: "success", title: t("supportDesk.moved", { id: ticket.id, status: t(STATUS_NAMES[updated.ticket.status]) }) });
    },
  });
  return (
    <>
      <div className="staff-card__actions" role="group" aria-label={t("supportDesk.statusActions")}>
        {STATUS_ACTIONS.filter((action) => mayMove(ticket.status, action.to)).map((action) => (
          <button
            key={action.to}
            type="button"
            className={`button button--small ${action.to === "closed" ? "button--sell" : ""}`}
            disabled={move.isPending}
            onClick={() => (asksFirst(action.to) ? setClosing(true) : move.mutate(action.to))}
          >
            {t(action.label)}
          </button>
        ))}
      </div>
      {closing ? null : <StaffErrorAlert error={move.error} />}
      <CloseTicketDialog
        open={closing}
        ticket={ticket}
        pending={move.isPending}
        error={move.error}
        onConfirm={() => move.mutate("closed")}
        onClose={() => {
          setClosing(false);
          move.reset();
        }}
      />
    </>
  );
}

type CloseTicketDialogProps = { ticket: StaffTicket } & Pick<ConfirmDialogProps, "open" | "pending" | "error" | "onConfirm" | "onClose">;

/** Asks before a ticket is closed: the user can no longer answer in it. */
export function CloseTicketDialog({ ticket, ...dialog }: CloseTicketDialogProps) {
  const { t } = useI18n();
  return (
    <ConfirmDialog {...dialog} danger title={t("backoffice.ticket.closeTitle", { id: ticket.id, subject: ticket.subject })} confirm={t("supportDesk.move.closed")}>
      <p>{t("backoffice.ticket.closeText")}</p>
    </ConfirmDialog>
  );
}

function Assign({ ticket }: { ticket: StaffTicket }) {
  const { t } = useI18n();
  const toast = useToast();
  const refresh = useRefresh(ticket.id);
  const people = useQuery({ queryKey: ["staff", "support", "assignees"], queryFn: supportStaffApi.assignees, staleTime: 60_000 });
  const [who, setWho] = useState(ticket.assignee ?? "");
  const assign = useMutation({
    mutationFn: (email: string) => supportStaffApi.assign(ticket.id, email || null),
    onSuccess: (updated) => {
      refresh(updated);
      toast.show({ kind: "success", title: t("supportDesk.assigned", { id: ticket.id }) });
    },
  });
  const options = [["", t("supportDesk.nobody")] as const, ...assigneeChoices(people.data?.assignees ?? [], ticket.assignee).map((e) => [e, e] as const)];

  function submit(event: FormEvent) {
    event.preventDefault();
    assign.mutate(who);
  }

  return (
    <form className="staff-form staff-form--inline" onSubmit={submit} noValidate>
      <SelectField label={t("supportDesk.col.assignee")} value={who} onChange={(event) => setWho(event.target.value)} options={options} />
      <button type="submit" className="button button--small" disabled={assign.isPending}>
        {t("supportDesk.assign")}
      </button>
      <StaffErrorAlert error={assign.error} />
    </form>
  );
}

function AnswerForm({ id }: { id: number }) {
  const { t } = useI18n();
  const toast = useToast();
  const refresh = useRefresh(id);
  const saved = useQuery({ queryKey: ["staff", "support", "saved-replies"], queryFn: supportStaffApi.savedReplies });
  const { draft, setBody, setAttachment, sent } = useMessageDraft();
  const { body, attachment } = draft;
  const [internal, setInternal] = useState(false);
  const [attempted, setAttempted] = useState(false);
  const problem = messageProblem(body);
  const fileProblem = attachmentProblem(attachment);
  const send = useMutation({
    mutationFn: ({ text, note, file }: { text: string; note: boolean; file: File | null }) => supportStaffApi.answer(id, text, note, file),
    onSuccess: (updated, { text, note, file }) => {
      sent({ body: text, attachment: file });
      setAttempted(false);
      refresh(updated);
      toast.show({ kind: "success", title: t(note ? "supportDesk.noteAdded" : "supportDesk.replySent") });
    },
  });
  const replies = saved.data?.savedReplies ?? [];

  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (!problem && !fileProblem) send.mutate({ text: body, note: internal, file: attachment });
  }

  return (
    <form className="staff-form" style={internal ? NOTE_STYLE : undefined} onSubmit={submit} noValidate>
      {replies.length ? (
        <SelectField
          label={t("supportDesk.savedReplyPicker")}
          value=""
          placeholder={t("supportDesk.savedReplyChoose")}
          onChange={(event) => {
            const picked = replies.find((reply) => String(reply.id) === event.target.value);
            if (picked) setBody(withSavedReply(body, picked.body));
          }}
          options={replies.map((reply) => [String(reply.id), reply.title] as const)}
        />
      ) : null}
      <TextAreaField
        label={t("supportDesk.answer")}
        rows={5}
        maxLength={MAX_MESSAGE_CHARS}
        value={body}
        onChange={(event) => setBody(event.target.value)}
        error={attempted && problem ? t(problem.key, problem.params) : null}
        hint={t("support.messageHint")}
      />
      <AttachmentField key={draft.picker} label={t("support.attachFile")} onPick={setAttachment} problem={fileProblem} />
      <label style={{ display: "inline-flex", alignItems: "center", gap: 6 }}>
        <input type="checkbox" checked={internal} onChange={(event) => setInternal(event.target.checked)} />
        {t("supportDesk.internal")}
      </label>
      <div className="staff-card__actions">
        <button type="submit" className="button button--small button--primary" disabled={send.isPending}>
          {internal ? t("supportDesk.addNote") : t("supportDesk.sendReply")}
        </button>
      </div>
      <StaffErrorAlert error={send.error} />
    </form>
  );
}
