/** Announcements: publish with a window, a severity and a placement; change or withdraw. Every change is in
 * the audit log (server side); the form checks in words first (announcements-form.ts). */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { DataTable, Field, SelectField, TextAreaField, useToast, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import { announcementsStaffApi } from "./announcements-api";
import { ConfirmDialog } from "./confirm-dialog";
import {
  MAX_BODY_CHARS,
  MAX_TITLE_CHARS,
  formOf,
  formProblems,
  newForm,
  toRequest,
  type AnnouncementForm,
  type StaffAnnouncement,
} from "./announcements-form";
import { staffErrorText } from "./staff-errors";
import type { StaffMember } from "./staff-types";

const KEY = ["staff", "announcements"];

export function AnnouncementsSection(_props: { member: StaffMember }) {
  const { t, formatDateTime } = useI18n();
  const ids = useId();
  const toast = useToast();
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: KEY, queryFn: announcementsStaffApi.list });
  const [editing, setEditing] = useState<StaffAnnouncement | null>(null);
  const [withdrawing, setWithdrawing] = useState<StaffAnnouncement | null>(null);
  const withdraw = useMutation({
    mutationFn: (id: number) => announcementsStaffApi.withdraw(id),
    onSuccess: (withdrawn) => {
      setWithdrawing(null);
      if (editing?.id === withdrawn.id) setEditing(null);
      void queryClient.invalidateQueries({ queryKey: KEY });
      void queryClient.invalidateQueries({ queryKey: ["announcements"] });
      toast.show({ kind: "success", title: t("announcements.withdrawn", { title: withdrawn.title }) });
    },
  });

  const columns: Column<StaffAnnouncement>[] = [
    { id: "title", header: t("announcements.col.title"), cell: (a) => <span className="cell-wrap">{a.title}</span> },
    { id: "severity", header: t("announcements.form.severity"), cell: (a) => t(`announcements.severity.${a.severity}`) },
    { id: "placement", header: t("announcements.form.placement"), cell: (a) => t(`announcements.placement.${a.placement}`) },
    { id: "start", header: t("announcements.form.start"), cell: (a) => formatDateTime(a.startsAt) },
    { id: "end", header: t("announcements.form.end"), cell: (a) => formatDateTime(a.endsAt) },
    { id: "status", header: t("announcements.col.status"), cell: (a) => t(`announcements.status.${a.status}`) },
    {
      id: "action",
      header: t("announcements.col.action"),
      cell: (a) =>
        a.status === "withdrawn" ? null : (
          <div className="staff-card__actions">
            <button type="button" className="button button--small" aria-label={t("announcements.editNamed", { title: a.title })} onClick={() => setEditing(a)}>
              {t("announcements.edit")}
            </button>
            <button type="button" className="button button--small" aria-label={t("announcements.withdrawNamed", { title: a.title })} onClick={() => setWithdrawing(a)}>
              {t("announcements.withdraw")}
            </button>
          </div>
        ),
    },
  ];

  return (
    <section className="backoffice-section" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>{t("backoffice.announcements.title")}</h2>
      <AnnouncementEditor key={editing?.id ?? "new"} editing={editing} onDone={() => setEditing(null)} />
      <DataTable
        label={t("backoffice.announcements.title")}
        columns={columns}
        rows={list.data?.announcements}
        rowKey={(a) => String(a.id)}
        loading={list.isPending}
        error={list.error ? staffErrorText(list.error, t) : null}
        onRetry={() => void list.refetch()}
        empty={t("announcements.empty")}
      />
      <ConfirmDialog
        open={withdrawing !== null}
        title={t("announcements.withdrawTitle", { title: withdrawing?.title ?? "" })}
        confirm={t("announcements.confirmWithdraw")}
        pending={withdraw.isPending}
        error={withdraw.error}
        onConfirm={() => withdrawing && withdraw.mutate(withdrawing.id)}
        onClose={() => {
          setWithdrawing(null);
          withdraw.reset();
        }}
      >
        <p>{t("announcements.withdrawText")}</p>
      </ConfirmDialog>
    </section>
  );
}

function AnnouncementEditor({ editing, onDone }: { editing: StaffAnnouncement | null; onDone(): void }) {
  const { t } = useI18n();
  const ids = useId();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<AnnouncementForm>(() => (editing ? formOf(editing) : newForm(Date.now())));
  const [attempted, setAttempted] = useState(false);
  const problems = formProblems(form);
  const save = useMutation({
    mutationFn: () => (editing ? announcementsStaffApi.change(editing.id, toRequest(form)) : announcementsStaffApi.publish(toRequest(form))),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: KEY });
      void queryClient.invalidateQueries({ queryKey: ["announcements"] });
      toast.show({ kind: "success", title: t(editing ? "announcements.saved" : "announcements.published", { title: saved.title }) });
      setForm(newForm(Date.now()));
      setAttempted(false);
      onDone();
    },
  });
  const set = (field: keyof AnnouncementForm) => (event: { target: { value: string } }) => setForm({ ...form, [field]: event.target.value });
  const shown = (field: keyof AnnouncementForm) => (attempted && problems[field] ? t(problems[field]) : null);

  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (!Object.keys(problems).length) save.mutate();
  }

  return (
    <form className="staff-form" onSubmit={submit} noValidate aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`}>{editing ? t("announcements.editTitle", { title: editing.title }) : t("announcements.newTitle")}</h3>
      <Field label={t("announcements.form.title")} value={form.title} maxLength={MAX_TITLE_CHARS} onChange={set("title")} error={shown("title")} />
      <TextAreaField
        label={t("announcements.form.body")}
        rows={4}
        value={form.body}
        maxLength={MAX_BODY_CHARS}
        onChange={set("body")}
        error={shown("body")}
        hint={t("announcements.form.bodyHint")}
      />
      <div className="staff-form__row">
        <SelectField
          label={t("announcements.form.severity")}
          value={form.severity}
          onChange={set("severity")}
          options={(["info", "warning", "critical"] as const).map((s) => [s, t(`announcements.severity.${s}`)] as const)}
        />
        <SelectField
          label={t("announcements.form.placement")}
          value={form.placement}
          onChange={set("placement")}
          options={(["banner", "dialog"] as const).map((p) => [p, t(`announcements.placement.${p}`)] as const)}
        />
        <Field label={t("announcements.form.start")} type="datetime-local" value={form.start} onChange={set("start")} error={shown("start")} />
        <Field label={t("announcements.form.end")} type="datetime-local" value={form.end} onChange={set("end")} error={shown("end")} />
      </div>
      <div className="staff-card__actions">
        <button type="submit" className="button button--primary" disabled={save.isPending}>
          {editing ? t("announcements.save") : t("announcements.publish")}
        </button>
        {editing ? (
          <button type="button" className="button" onClick={onDone}>
            {t("announcements.cancelEdit")}
          </button>
        ) : null}
      </div>
      {save.error ? (
        <p className="form-error" role="alert">
          {staffErrorText(save.error, t)}
        </p>
      ) : null}
    </form>
  );
}
