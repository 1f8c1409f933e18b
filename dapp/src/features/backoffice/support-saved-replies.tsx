/** "Saved replies": the canned answers staff put into a reply; made, changed and deleted here, every change
 * audit-logged by the server. Titles are text; a reply's preview is the server's sanitized HTML. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Field, TextAreaField, useToast, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import { ConfirmDialog } from "./confirm-dialog";
import { QueryTable } from "./query-table";
import { StaffErrorAlert } from "./staff-error-alert";
import { MAX_SAVED_TITLE_CHARS, savedReplyProblems, supportStaffApi, type SavedReply } from "./support-desk";

const KEY = ["staff", "support", "saved-replies"];

export function SavedReplies() {
  const { t, formatDateTime } = useI18n();
  const ids = useId();
  const list = useQuery({ queryKey: KEY, queryFn: supportStaffApi.savedReplies });
  const [editing, setEditing] = useState<SavedReply | null>(null);
  const [deleting, setDeleting] = useState<SavedReply | null>(null);

  const columns: Column<SavedReply>[] = [
    { id: "title", header: t("supportDesk.savedTitle"), cell: (r) => <span className="cell-wrap">{r.title}</span>, csv: (r) => r.title },
    { id: "body", header: t("supportDesk.savedBody"), cell: (r) => <div className="cell-wrap" dangerouslySetInnerHTML={{ __html: r.html }} />, csv: (r) => r.body },
    { id: "updated", header: t("support.col.updated"), cell: (r) => `${formatDateTime(r.updatedAt)} (${r.updatedBy})` },
    {
      id: "action",
      header: t("support.col.action"),
      cell: (r) => (
        <div className="staff-card__actions">
          <button type="button" className="button button--small" aria-label={t("supportDesk.savedEditNamed", { title: r.title })} onClick={() => setEditing(r)}>
            {t("supportDesk.savedEdit")}
          </button>
          <button type="button" className="button button--small" aria-label={t("supportDesk.savedDeleteNamed", { title: r.title })} onClick={() => setDeleting(r)}>
            {t("supportDesk.savedDelete")}
          </button>
        </div>
      ),
    },
  ];

  return (
    <section className="panel staff-detail" aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`} className="panel__title">
        {t("supportDesk.savedReplies")}
      </h3>
      <div className="staff-detail__body">
        <QueryTable
          label={t("supportDesk.savedReplies")}
          columns={columns}
          rows={list.data?.savedReplies}
          rowKey={(r) => String(r.id)}
          query={list}
          empty={t("supportDesk.savedEmpty")}
        />
        <SavedReplyForm key={editing?.id ?? "new"} editing={editing} onDone={() => setEditing(null)} />
      </div>
      {deleting ? (
        <DeleteSavedReplyDialog
          reply={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            if (editing?.id === deleting.id) setEditing(null);
            setDeleting(null);
          }}
        />
      ) : null}
    </section>
  );
}

/** Asks before a saved reply is deleted: no one can put it into an answer again, and it cannot be undone. */
export function DeleteSavedReplyDialog({ reply, onClose, onDeleted }: { reply: SavedReply; onClose(): void; onDeleted(): void }) {
  const { t } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => supportStaffApi.deleteSavedReply(reply.id),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: KEY });
      toast.show({ kind: "success", title: t("supportDesk.savedDeletedToast") });
      onDeleted();
    },
  });
  return (
    <ConfirmDialog
      open
      danger
      title={t("backoffice.savedReply.deleteTitle", { title: reply.title })}
      confirm={t("supportDesk.savedDelete")}
      pending={remove.isPending}
      error={remove.error}
      onConfirm={() => remove.mutate()}
      onClose={onClose}
    >
      <p>{t("backoffice.savedReply.deleteText")}</p>
    </ConfirmDialog>
  );
}

function SavedReplyForm({ editing, onDone }: { editing: SavedReply | null; onDone(): void }) {
  const { t } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [title, setTitle] = useState(editing?.title ?? "");
  const [body, setBody] = useState(editing?.body ?? "");
  const [attempted, setAttempted] = useState(false);
  const problems = savedReplyProblems(title, body);
  const save = useMutation({
    mutationFn: () => (editing ? supportStaffApi.updateSavedReply(editing.id, title.trim(), body) : supportStaffApi.createSavedReply(title.trim(), body)),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: KEY });
      toast.show({ kind: "success", title: t("supportDesk.savedSavedToast", { title: saved.title }) });
      setTitle("");
      setBody("");
      setAttempted(false);
      onDone();
    },
  });
  const shown = (field: "title" | "body") => {
    const problem = problems[field];
    return attempted && problem ? t(problem.key, problem.params) : null;
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (!Object.keys(problems).length) save.mutate();
  }

  return (
    <form className="staff-form" onSubmit={submit} noValidate>
      <h4>{editing ? t("supportDesk.savedEditNamed", { title: editing.title }) : t("supportDesk.savedNew")}</h4>
      <Field label={t("supportDesk.savedTitle")} value={title} maxLength={MAX_SAVED_TITLE_CHARS} onChange={(event) => setTitle(event.target.value)} error={shown("title")} />
      <TextAreaField label={t("supportDesk.savedBody")} rows={4} value={body} onChange={(event) => setBody(event.target.value)} error={shown("body")} hint={t("support.messageHint")} />
      <div className="staff-card__actions">
        <button type="submit" className="button button--small button--primary" disabled={save.isPending}>
          {t("supportDesk.savedSave")}
        </button>
        {editing ? (
          <button type="button" className="button button--small button--ghost" onClick={onDone}>
            {t("supportDesk.savedCancel")}
          </button>
        ) : null}
      </div>
      <StaffErrorAlert error={save.error} />
    </form>
  );
}
