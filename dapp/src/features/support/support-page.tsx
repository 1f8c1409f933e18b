/**
 * The support desk for the signed-in wallet (`/support`): its tickets, newest first, and a form to open one
 * (category, subject, Markdown message, optional attachment); `/support/<id>` shows one ticket with its
 * conversation (staff's public replies; internal notes never reach the wallet; each message's attachments), a
 * reply box with an optional file and "Close ticket". Subjects are text; a message's body is the server's sanitized HTML (backend/markup.py), the only
 * HTML inserted as HTML.
 */
import "./messages"; // before anything renders a message of this chunk
import { useId, useState, type FormEvent } from "react";
import { ConfirmDialog, DataTable, Field, FileViewer, LoadMore, SelectField, StatusMessage, TextAreaField, useToast, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import { ApiError } from "../../lib/api-client";
import { loadError } from "../../lib/query-client";
import { Link, navigate, paths } from "../../lib/router";
import { useAuth } from "../auth";
import { useWallet } from "../wallet";
import { supportApi, useTicket, useTicketChange, useTickets, type Message, type NewReply, type NewTicket, type Ticket } from "./support-api";
import { AttachmentField } from "./attachment-field";
import { useMessageDraft } from "./message-draft";
import { supportErrorText } from "./error-text";
import {
  CATEGORIES,
  CATEGORY_NAMES,
  MAX_MESSAGE_CHARS,
  MAX_SUBJECT_CHARS,
  STATUS_NAMES,
  durationText,
  mayAnswer,
  replyProblems,
  ticketIdOf,
  ticketProblems,
  type Category,
  type Problem,
} from "./support-logic";
import "./support.css";

/** `rest` is the path after `/support/` (a ticket's id). */
export default function SupportPage({ rest }: { rest: string | null }) {
  const { t } = useI18n();
  const ids = useId();
  const wallet = useWallet();
  const auth = useAuth();
  const address = auth.status === "signed-in" && auth.session ? auth.session.address : null;
  const ticketId = ticketIdOf(rest);

  let body;
  if (!address) {
    const key = wallet.status !== "connected" ? "support.connectFirst" : auth.status === "loading" ? "common.loading" : "support.signInFirst";
    body = <StatusMessage kind={auth.status === "loading" ? "loading" : "empty"}>{t(key)}</StatusMessage>;
  } else if (rest !== null && ticketId === null) {
    body = <StatusMessage kind="empty">{t("support.notFound")}</StatusMessage>;
  } else if (ticketId !== null) {
    body = <TicketView key={ticketId} address={address} id={ticketId} />;
  } else {
    body = (
      <div className="support-page__grid">
        <TicketList address={address} />
        <NewTicketForm address={address} />
      </div>
    );
  }

  return (
    <section className="support-page" aria-labelledby={`${ids}-title`}>
      <h1 id={`${ids}-title`} className="support-page__title">
        {t("support.title")}
      </h1>
      <p className="support-page__intro">
        {t("support.intro")} <Link to={paths.help}>{t("support.helpLink")}</Link>
      </p>
      {body}
    </section>
  );
}

function TicketList({ address }: { address: string }) {
  const { t, formatDateTime } = useI18n();
  const ids = useId();
  const list = useTickets(address);
  const columns: Column<Ticket>[] = [
    { id: "id", header: t("support.col.id"), cell: (ticket) => `#${ticket.id}` },
    { id: "subject", header: t("support.col.subject"), cell: (ticket) => <span className="support-wrap">{ticket.subject}</span>, csv: (ticket) => ticket.subject },
    { id: "category", header: t("support.col.category"), cell: (ticket) => t(CATEGORY_NAMES[ticket.category]), csv: (ticket) => ticket.category },
    { id: "status", header: t("support.col.status"), cell: (ticket) => t(STATUS_NAMES[ticket.status]), csv: (ticket) => ticket.status },
    { id: "updated", header: t("support.col.updated"), cell: (ticket) => formatDateTime(ticket.updatedAt) },
    {
      id: "action",
      header: t("support.col.action"),
      cell: (ticket) => (
        <Link to={`${paths.support}/${ticket.id}`} className="button button--small" aria-label={t("support.viewNamed", { id: ticket.id, subject: ticket.subject })}>
          {t("support.view")}
        </Link>
      ),
    },
  ];
  return (
    <section className="panel support-page__list" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`} className="panel__title">
        {t("support.myTickets")}
      </h2>
      <DataTable
        label={t("support.myTickets")}
        columns={columns}
        rows={list.data?.pages.flatMap((page) => page.tickets)}
        rowKey={(ticket) => String(ticket.id)}
        loading={list.isPending}
        error={list.error ? supportErrorText(list.error, t) : null}
        onRetry={() => void list.refetch()}
        empty={t("support.noTickets")}
      />
      <LoadMore query={list} />
    </section>
  );
}

function NewTicketForm({ address }: { address: string }) {
  const { t } = useI18n();
  const ids = useId();
  const toast = useToast();
  const [category, setCategory] = useState("");
  const [subject, setSubject] = useState("");
  const [message, setMessage] = useState("");
  const [attachment, setAttachment] = useState<File | null>(null);
  const [attempted, setAttempted] = useState(false);
  const open = useTicketChange<NewTicket>(address, supportApi.open);
  const problems = ticketProblems({ category, subject, message, attachment });
  // A picked file is checked at once; the other fields once the user tries to send.
  const shown = (problem: Problem | undefined) => (problem && attempted ? t(problem.key, problem.params) : null);

  function send(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (Object.keys(problems).length) return;
    open.mutate(
      { category: category as Category, subject, message, attachment },
      {
        onSuccess: (detail) => {
          toast.show({ kind: "success", title: t("support.opened", { id: detail.ticket.id }) });
          navigate(`${paths.support}/${detail.ticket.id}`, { toTop: true });
        },
      },
    );
  }

  return (
    <form className="panel support-form" onSubmit={send} noValidate aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`} className="panel__title">
        {t("support.newTicket")}
      </h2>
      <SelectField
        label={t("support.category")}
        value={category}
        placeholder={t("support.chooseCategory")}
        onChange={(event) => setCategory(event.target.value)}
        options={CATEGORIES.map((c) => [c, t(CATEGORY_NAMES[c])] as const)}
        error={shown(problems.category)}
      />
      <Field label={t("support.subject")} value={subject} maxLength={MAX_SUBJECT_CHARS} onChange={(event) => setSubject(event.target.value)} error={shown(problems.subject)} />
      <TextAreaField
        label={t("support.message")}
        rows={6}
        value={message}
        maxLength={MAX_MESSAGE_CHARS}
        onChange={(event) => setMessage(event.target.value)}
        error={shown(problems.message)}
        hint={t("support.messageHint")}
      />
      <AttachmentField label={t("support.attachment")} onPick={setAttachment} problem={problems.attachment} />
      <div className="support-form__actions">
        <button type="submit" className="button button--primary" disabled={open.isPending}>
          {open.isPending ? t("common.sending") : t("support.submit")}
        </button>
      </div>
      {open.error ? (
        <p className="form-error" role="alert">
          {supportErrorText(open.error, t)}
        </p>
      ) : null}
    </form>
  );
}

function TicketView({ address, id }: { address: string; id: number }) {
  const { t, formatDateTime } = useI18n();
  const ids = useId();
  const detail = useTicket(address, id);
  const back = (
    <p>
      <Link to={paths.support}>{t("support.back")}</Link>
    </p>
  );

  const failed = loadError(detail);
  if (failed) {
    const missing = failed instanceof ApiError && failed.status === 404;
    return (
      <>
        {back}
        <StatusMessage kind={missing ? "empty" : "error"} action={missing ? undefined : { label: t("common.retry"), onClick: () => void detail.refetch() }}>
          {missing ? t("support.notFound") : supportErrorText(failed, t)}
        </StatusMessage>
      </>
    );
  }
  if (!detail.data) return <StatusMessage kind="loading">{t("common.loading")}</StatusMessage>;
  const { ticket, messages } = detail.data;

  return (
    <article className="panel support-ticket" aria-labelledby={`${ids}-title`}>
      {back}
      <h2 id={`${ids}-title`} className="panel__title">
        {t("support.ticketTitle", { id: ticket.id, subject: ticket.subject })}
      </h2>
      <dl className="support-facts">
        <dt>{t("support.col.status")}</dt>
        <dd>{t(STATUS_NAMES[ticket.status])}</dd>
        <dt>{t("support.col.category")}</dt>
        <dd>{t(CATEGORY_NAMES[ticket.category])}</dd>
        <dt>{t("support.firstResponse")}</dt>
        <dd>{durationText(t, ticket.firstResponseMs, "support.notYet")}</dd>
        <dt>{t("support.resolution")}</dt>
        <dd>{durationText(t, ticket.resolutionMs, "support.notYet")}</dd>
      </dl>
      <h3 id={`${ids}-conversation`}>{t("support.conversation")}</h3>
      <ol className="support-conversation" aria-labelledby={`${ids}-conversation`}>
        {messages.map((message) => (
          <MessageItem key={message.id} message={message} ticketId={ticket.id} time={formatDateTime(message.createdAt)} />
        ))}
      </ol>
      {mayAnswer(ticket.status) ? <ReplyForm address={address} id={ticket.id} /> : <p className="muted">{t("support.closedNote")}</p>}
    </article>
  );
}

export function MessageItem({ message, ticketId, time }: { message: Message; ticketId: number; time: string }) {
  const { t, formatNumber } = useI18n();
  const sender = message.sender === "you" ? t("support.fromYou") : t("support.fromSupport");
  return (
    <li className={`support-conversation__message support-conversation__message--${message.sender}`}>
      <p className="muted">{t("support.sentBy", { sender, time })}</p>
      {/* server-rendered, sanitized Markdown (backend/markup.py) */}
      <div className="support-conversation__body" dangerouslySetInnerHTML={{ __html: message.html }} />
      {message.attachments.map((file) => (
        <FileViewer
          key={file.id}
          fetchFile={() => supportApi.attachment(ticketId, file.id)}
          label={t("support.attachment")}
          fileStem={`ticket-${ticketId}-${file.id}`}
          contentType={file.contentType}
          openLabel={t("support.attachmentOpen", { type: file.contentType, kilobytes: formatNumber(Math.ceil(file.size / 1024)) })}
          downloadLabel={t("support.attachmentDownload")}
          errorText={(error) => supportErrorText(error, t)}
        />
      ))}
    </li>
  );
}

/** Asked before a ticket is closed: a wallet cannot reopen it, and a reply typed and not sent is dropped. */
export function CloseTicketDialog({ id, open, replyTyped, closing, onConfirm, onCancel }: {
  id: number;
  open: boolean;
  replyTyped: boolean;
  closing: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  return (
    <ConfirmDialog
      open={open}
      title={t("support.closeConfirmTitle", { id })}
      confirm={t("support.close")}
      pending={closing}
      danger
      onConfirm={onConfirm}
      onClose={onCancel}
    >
      <p>{t("support.closeConfirmText")}</p>
      {replyTyped ? <p className="form-error">{t("support.closeDropsReply")}</p> : null}
    </ConfirmDialog>
  );
}

/** The wallet's reply on its ticket: Markdown and an optional file, and the button that closes the ticket (after
 * asking: a closed ticket cannot be reopened by its wallet). */
export function ReplyForm({ address, id }: { address: string; id: number }) {
  const { t } = useI18n();
  const toast = useToast();
  const { draft, setBody, setAttachment, sent } = useMessageDraft();
  const { body, attachment } = draft;
  const [attempted, setAttempted] = useState(false);
  const [confirmingClose, setConfirmingClose] = useState(false);
  const reply = useTicketChange<NewReply>(address, (input) => supportApi.reply(id, input));
  const close = useTicketChange<void>(address, () => supportApi.close(id));
  const problems = replyProblems({ body, attachment });

  function send(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (Object.keys(problems).length) return;
    reply.mutate(
      { body, attachment },
      {
        onSuccess: () => {
          sent({ body, attachment });
          setAttempted(false);
          toast.show({ kind: "success", title: t("support.replySent") });
        },
      },
    );
  }

  const failed = reply.error ?? close.error;
  return (
    <form className="support-form" onSubmit={send} noValidate>
      <TextAreaField
        label={t("support.reply")}
        rows={4}
        value={body}
        maxLength={MAX_MESSAGE_CHARS}
        onChange={(event) => setBody(event.target.value)}
        error={attempted && problems.body ? t(problems.body.key, problems.body.params) : null}
        hint={t("support.messageHint")}
      />
      <AttachmentField key={draft.picker} label={t("support.attachFile")} onPick={setAttachment} problem={problems.attachment} />
      <div className="support-form__actions">
        <button type="submit" className="button button--primary" disabled={reply.isPending}>
          {reply.isPending ? t("common.sending") : t("support.sendReply")}
        </button>
        <button type="button" className="button button--ghost" aria-haspopup="dialog" disabled={close.isPending} onClick={() => setConfirmingClose(true)}>
          {t("support.close")}
        </button>
      </div>
      <CloseTicketDialog
        id={id}
        open={confirmingClose}
        replyTyped={body.trim() !== "" || attachment !== null}
        closing={close.isPending}
        onCancel={() => setConfirmingClose(false)}
        onConfirm={() =>
          close.mutate(undefined, {
            onSuccess: () => toast.show({ kind: "success", title: t("support.closedToast", { id }) }),
            onSettled: () => setConfirmingClose(false),
          })
        }
      />
      {failed ? (
        <p className="form-error" role="alert">
          {supportErrorText(failed, t)}
        </p>
      ) : null}
    </form>
  );
}
