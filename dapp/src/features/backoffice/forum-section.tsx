/** Forum moderation: the reports queue (hide the post, dismiss, or ban its author), threads (pin, lock, hide), bans of
 *  wallets, and the categories (forum-categories.tsx). */
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Field, LoadMore, SelectField, TextAreaField, useToast, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import { Categories } from "./forum-categories";
import { addressProblem, MAX_REASON_CHARS, reasonProblem } from "./forms";
import {
  excerpt,
  forumModeration,
  REPORT_VIEWS,
  THREAD_ACTION_DONE,
  threadActions,
  type ForumBan,
  type ForumReport,
  type ModeratedThread,
  type ReportStatus,
} from "./forum-moderation";
import { QueryTable } from "./query-table";
import { ReasonDialog } from "./reason-dialog";
import { StaffErrorAlert } from "./staff-error-alert";
import { staffErrorText } from "./staff-errors";
import type { StaffMember } from "./staff-types";

const REPORTS = ["staff", "forum", "reports"];
const THREADS = ["staff", "forum", "threads"];
const BANS = ["staff", "forum", "bans"];

export function ForumSection(_props: { member: StaffMember }) {
  const { t } = useI18n();
  return (
    <section className="backoffice-section">
      <h2>{t("backoffice.forum.title")}</h2>
      <ReportsQueue />
      <Threads />
      <Bans />
      <Categories />
    </section>
  );
}

function ReportsQueue() {
  const { t, formatDateTime } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [banning, setBanning] = useState<ForumReport | null>(null);
  // Closed reports are listed too: a post hidden by mistake is shown again from there (the API could, the page could not).
  const [status, setStatus] = useState<ReportStatus>("open");
  const view = REPORT_VIEWS.find((v) => v.status === status) ?? REPORT_VIEWS[0]!;
  const reports = useInfiniteQuery({
    queryKey: [...REPORTS, status],
    queryFn: ({ pageParam }) => forumModeration.reports(status, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
  });
  const done = () => void queryClient.invalidateQueries({ queryKey: ["staff", "forum"] });
  const hide = useMutation({
    mutationFn: (report: ForumReport) => forumModeration.hidePost(report.post.id),
    onSuccess: (post) => {
      done();
      toast.show({ kind: "success", title: t("forum.staff.hidden", { id: post.id }) });
    },
    onError: (error) => toast.show({ kind: "error", title: staffErrorText(error, t) }),
  });
  const unhide = useMutation({
    mutationFn: (report: ForumReport) => forumModeration.unhidePost(report.post.id),
    onSuccess: (post) => {
      done();
      toast.show({ kind: "success", title: t("forum.staff.unhidden", { id: post.id }) });
    },
    onError: (error) => toast.show({ kind: "error", title: staffErrorText(error, t) }),
  });
  const dismiss = useMutation({
    mutationFn: (report: ForumReport) => forumModeration.dismiss(report.id),
    onSuccess: (report) => {
      done();
      toast.show({ kind: "success", title: t("forum.staff.dismissed", { id: report.id }) });
    },
    onError: (error) => toast.show({ kind: "error", title: staffErrorText(error, t) }),
  });
  const columns: Column<ForumReport>[] = [
    { id: "thread", header: t("forum.staff.col.thread"), cell: (r) => <span className="cell-wrap">{r.threadTitle}</span> },
    {
      id: "post",
      header: t("forum.staff.col.post"),
      // sanitized by the server (backend/markup.py render): inert whatever was typed
      cell: (r) => <div className="cell-wrap" dangerouslySetInnerHTML={{ __html: r.post.messageHtml }} />,
    },
    { id: "reason", header: t("forum.staff.col.reason"), cell: (r) => <span className="cell-wrap">{r.reason}</span> },
    { id: "author", header: t("backoffice.forum.col.author"), cell: (r) => <code>{r.post.author}</code> },
    { id: "reporter", header: t("forum.staff.col.reporter"), cell: (r) => <code>{r.reporter}</code> },
    { id: "at", header: t("forum.staff.col.at"), cell: (r) => formatDateTime(r.createdAt) },
    {
      id: "action",
      header: t("forum.staff.col.action"),
      cell: (r) => (
        <span className="staff-card__actions">
          {r.post.hidden ? (
            <button type="button" className="button button--small" disabled={unhide.isPending} onClick={() => unhide.mutate(r)} aria-label={t("backoffice.forum.unhideNamed", named(r))}>
              {t("forum.staff.unhide")}
            </button>
          ) : (
            <button type="button" className="button button--small button--sell" disabled={hide.isPending} onClick={() => hide.mutate(r)} aria-label={t("backoffice.forum.hideNamed", named(r))}>
              {t("forum.staff.hide")}
            </button>
          )}
          {r.status === "open" ? (
            <button type="button" className="button button--small button--ghost" disabled={dismiss.isPending} onClick={() => dismiss.mutate(r)} aria-label={t("backoffice.forum.dismissNamed", named(r))}>
              {t("forum.staff.dismiss")}
            </button>
          ) : null}
          <button type="button" className="button button--small button--ghost" onClick={() => setBanning(r)} aria-label={t("backoffice.forum.banAuthorNamed", named(r))}>
            {t("backoffice.forum.banAuthor")}
          </button>
        </span>
      ),
    },
  ];
  return (
    // a heading, not a second landmark: the table below is a region of the same name
    <div>
      <h3>{t("forum.staff.reports")}</h3>
      <div className="backoffice-section__filters">
        <SelectField
          label={t("forum.staff.view")}
          value={status}
          onChange={(event) => setStatus(event.target.value as ReportStatus)}
          options={REPORT_VIEWS.map((v) => [v.status, t(v.label)])}
        />
      </div>
      <QueryTable
        label={t("forum.staff.reports")}
        columns={columns}
        rows={reports.data?.pages.flatMap((page) => page.reports)}
        rowKey={(r) => String(r.id)}
        query={reports}
        empty={t(view.empty)}
      />
      <LoadMore query={reports} />
      {banning ? <BanAuthorDialog report={banning} onClose={() => setBanning(null)} /> : null}
    </div>
  );
}

/** A reported post named in its buttons' accessible names: its number, thread and first words. */
function named(report: ForumReport) {
  return { id: report.post.id, thread: report.threadTitle, excerpt: excerpt(report.post.message), wallet: report.post.author };
}

/** Bans a reported post's author from posting, with the reason the ban keeps (the ban form's request). */
export function BanAuthorDialog({ report, onClose }: { report: ForumReport; onClose(): void }) {
  const { t } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const ban = useMutation({
    mutationFn: (reason: string) => forumModeration.ban(report.post.author, reason),
    onSuccess: (made) => {
      void queryClient.invalidateQueries({ queryKey: BANS });
      toast.show({ kind: "success", title: t("forum.staff.banned", { wallet: made.wallet }) });
      onClose();
    },
  });
  return (
    <ReasonDialog
      open
      danger
      title={t("backoffice.forum.banAuthorTitle", { wallet: report.post.author })}
      confirm={t("forum.staff.ban")}
      pending={ban.isPending}
      error={ban.error}
      onConfirm={(reason) => ban.mutate(reason)}
      onClose={onClose}
    >
      <p>{t("backoffice.forum.banAuthorText", named(report))}</p>
    </ReasonDialog>
  );
}

function Threads() {
  const { t, formatDateTime } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const threads = useInfiniteQuery({
    queryKey: THREADS,
    queryFn: ({ pageParam }) => forumModeration.threads(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
  });
  const change = useMutation({
    mutationFn: ({ thread, action }: { thread: ModeratedThread; action: Parameters<typeof forumModeration.thread>[1] }) =>
      forumModeration.thread(thread.id, action),
    onSuccess: (_changed, { thread, action }) => {
      void queryClient.invalidateQueries({ queryKey: THREADS });
      toast.show({ kind: "success", title: t(THREAD_ACTION_DONE[action], { title: thread.title }) });
    },
    onError: (error) => toast.show({ kind: "error", title: staffErrorText(error, t) }),
  });
  const columns: Column<ModeratedThread>[] = [
    { id: "thread", header: t("forum.staff.col.thread"), cell: (th) => <span className="cell-wrap">{th.title}</span> },
    {
      id: "state",
      header: t("forum.staff.col.state"),
      cell: (th) =>
        [th.pinned ? t("forum.pinned") : null, th.locked ? t("forum.locked") : null, th.hidden ? t("backoffice.forum.hiddenState") : null]
          .filter(Boolean)
          .join(" · "),
    },
    { id: "at", header: t("forum.staff.col.at"), cell: (th) => formatDateTime(th.lastPostAt) },
    {
      id: "action",
      header: t("forum.staff.col.action"),
      cell: (th) => (
        <span className="staff-card__actions">
          {threadActions(th).map(({ action, label }) => (
            <button
              key={action}
              type="button"
              className="button button--small button--ghost"
              disabled={change.isPending}
              aria-label={t("backoffice.rowAction", { action: t(label), row: th.title })}
              onClick={() => change.mutate({ thread: th, action })}
            >
              {t(label)}
            </button>
          ))}
        </span>
      ),
    },
  ];
  return (
    <div>
      <h3>{t("forum.staff.threads")}</h3>
      <QueryTable
        label={t("forum.staff.threads")}
        columns={columns}
        rows={threads.data?.pages.flatMap((page) => page.threads)}
        rowKey={(th) => String(th.id)}
        query={threads}
        empty={t("forum.staff.noThreads")}
      />
      <LoadMore query={threads} />
    </div>
  );
}

function Bans() {
  const { t, formatDateTime } = useI18n();
  const bans = useInfiniteQuery({
    queryKey: BANS,
    queryFn: ({ pageParam }) => forumModeration.bans(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
  });
  const [unbanning, setUnbanning] = useState<string | null>(null);
  const columns: Column<ForumBan>[] = [
    { id: "wallet", header: t("forum.staff.col.wallet"), cell: (b) => <code>{b.wallet}</code> },
    { id: "reason", header: t("forum.staff.col.reason"), cell: (b) => <span className="cell-wrap">{b.reason}</span> },
    { id: "by", header: t("forum.staff.col.by"), cell: (b) => b.bannedBy },
    { id: "at", header: t("forum.staff.col.at"), cell: (b) => formatDateTime(b.bannedAt) },
    {
      id: "action",
      header: t("forum.staff.col.action"),
      cell: (b) => (
        <button type="button" className="button button--small" aria-label={`${t("forum.staff.unban")} ${b.wallet}`} onClick={() => setUnbanning(b.wallet)}>
          {t("forum.staff.unban")}
        </button>
      ),
    },
  ];
  return (
    <div>
      <h3>{t("forum.staff.bans")}</h3>
      <QueryTable
        label={t("forum.staff.bans")}
        columns={columns}
        rows={bans.data?.pages.flatMap((page) => page.bans)}
        rowKey={(b) => b.wallet}
        query={bans}
        empty={t("forum.staff.noBans")}
      />
      <LoadMore query={bans} />
      {unbanning ? <UnbanDialog wallet={unbanning} onClose={() => setUnbanning(null)} /> : null}
      <BanForm />
    </div>
  );
}

/** Lifts a wallet's ban once the moderator confirms and gives the reason the audit log keeps. */
export function UnbanDialog({ wallet, onClose }: { wallet: string; onClose(): void }) {
  const { t } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const unban = useMutation({
    mutationFn: (reason: string) => forumModeration.unban(wallet, reason),
    onSuccess: (lifted) => {
      void queryClient.invalidateQueries({ queryKey: BANS });
      toast.show({ kind: "success", title: t("forum.staff.unbanned", { wallet: lifted.wallet }) });
      onClose();
    },
  });
  return (
    <ReasonDialog
      open
      title={t("backoffice.forum.unbanTitle", { wallet })}
      confirm={t("forum.staff.unban")}
      pending={unban.isPending}
      error={unban.error}
      onConfirm={(reason) => unban.mutate(reason)}
      onClose={onClose}
    >
      <p>{t("backoffice.forum.unbanText")}</p>
    </ReasonDialog>
  );
}

function BanForm() {
  const { t } = useI18n();
  const ids = useId();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [wallet, setWallet] = useState("");
  const [reason, setReason] = useState("");
  const [attempted, setAttempted] = useState(false);
  const ban = useMutation({
    mutationFn: () => forumModeration.ban(wallet.trim(), reason.trim()),
    onSuccess: (made) => {
      setWallet("");
      setReason("");
      setAttempted(false);
      void queryClient.invalidateQueries({ queryKey: BANS });
      toast.show({ kind: "success", title: t("forum.staff.banned", { wallet: made.wallet }) });
    },
  });
  const walletError = addressProblem(wallet);
  const reasonError = reasonProblem(reason);
  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (!walletError && !reasonError) ban.mutate();
  }
  return (
    <form className="staff-form" onSubmit={submit} noValidate aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`}>{t("forum.staff.banTitle")}</h3>
      <Field
        label={t("forum.staff.wallet")}
        autoComplete="off"
        spellCheck={false}
        value={wallet}
        onChange={(e) => setWallet(e.target.value)}
        error={attempted && walletError ? t(walletError.key) : null}
      />
      <TextAreaField
        label={t("forum.staff.reason")}
        value={reason}
        maxLength={MAX_REASON_CHARS}
        onChange={(e) => setReason(e.target.value)}
        error={attempted && reasonError ? t(reasonError.key, reasonError.params) : null}
      />
      <div className="staff-card__actions">
        <button type="submit" className="button button--sell" disabled={ban.isPending}>
          {t("forum.staff.ban")}
        </button>
      </div>
      <StaffErrorAlert error={ban.error} />
    </form>
  );
}
