/** Announcements: publish with a window, a severity and a placement, in English and optionally in each of the
 * dApp's other languages; change or withdraw. Every change is in the audit log (server side); the form checks in
 * words first (announcements-form.ts). */
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { Field, SelectField, TextAreaField, useToast, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import { announcementsStaffApi } from "./announcements-api";
import {
  MAX_BODY_CHARS,
  MAX_TITLE_CHARS,
  formOf,
  formProblems,
  mayGoStale,
  newForm,
  toRequest,
  type AnnouncementForm,
  type FormField,
  type StaffAnnouncement,
  type TranslationForm,
} from "./announcements-form";
import { ContentEditor, TranslationFieldset, useContentForm } from "./content-editor";
import { ContentSection, type ItemActions } from "./content-section";
import { TRANSLATED_LANGUAGES, languageName } from "./languages";
import type { StaffMember } from "./staff-types";

const KEY = ["staff", "announcements"];

export function AnnouncementsSection(_props: { member: StaffMember }) {
  const { t, formatDateTime, locale } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const list = useInfiniteQuery({
    queryKey: KEY,
    queryFn: ({ pageParam }) => announcementsStaffApi.list(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
  });

  const columns = ({ edit, takeDown }: ItemActions<StaffAnnouncement>): Column<StaffAnnouncement>[] => [
    { id: "title", header: t("announcements.col.title"), cell: (a) => <span className="cell-wrap">{a.title}</span> },
    { id: "severity", header: t("announcements.form.severity"), cell: (a) => t(`announcements.severity.${a.severity}`) },
    { id: "placement", header: t("announcements.form.placement"), cell: (a) => t(`announcements.placement.${a.placement}`) },
    { id: "start", header: t("announcements.form.start"), cell: (a) => formatDateTime(a.startsAt) },
    { id: "end", header: t("announcements.form.end"), cell: (a) => formatDateTime(a.endsAt) },
    { id: "status", header: t("announcements.col.status"), cell: (a) => t(`announcements.status.${a.status}`) },
    {
      id: "translations",
      header: t("announcements.col.translations"),
      cell: (a) =>
        Object.entries(a.translations)
          .map(([language, text]) => (text.outdated ? t("announcements.languageOutdated", { language: languageName(language, locale) }) : languageName(language, locale)))
          .join(", ") || t("announcements.noTranslations"),
    },
    {
      id: "action",
      header: t("announcements.col.action"),
      cell: (a) =>
        a.status === "withdrawn" ? null : (
          <div className="staff-card__actions">
            <button type="button" className="button button--small" aria-label={t("announcements.editNamed", { title: a.title })} onClick={() => edit(a)}>
              {t("announcements.edit")}
            </button>
            <button type="button" className="button button--small" aria-label={t("announcements.withdrawNamed", { title: a.title })} onClick={() => takeDown(a)}>
              {t("announcements.withdraw")}
            </button>
          </div>
        ),
    },
  ];

  return (
    <ContentSection
      title={t("backoffice.announcements.title")}
      editor={(editing, done) => <AnnouncementEditor editing={editing} onDone={done} />}
      table={{
        label: t("backoffice.announcements.title"),
        query: list,
        rows: list.data?.pages.flatMap((page) => page.announcements),
        columns,
        empty: t("announcements.empty"),
        more: list,
      }}
      takeDown={{
        run: (a) => announcementsStaffApi.withdraw(a.id),
        onDone: (withdrawn) => {
          void queryClient.invalidateQueries({ queryKey: KEY });
          void queryClient.invalidateQueries({ queryKey: ["announcements"] });
          toast.show({ kind: "success", title: t("announcements.withdrawn", { title: withdrawn.title }) });
        },
        title: (a) => t("announcements.withdrawTitle", { title: a.title }),
        confirm: t("announcements.confirmWithdraw"),
        text: t("announcements.withdrawText"),
      }}
    />
  );
}

function AnnouncementEditor({ editing, onDone }: { editing: StaffAnnouncement | null; onDone(): void }) {
  const { t, locale } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const { form, setForm, shown, submit, reset } = useContentForm<AnnouncementForm, FormField>(
    () => (editing ? formOf(editing) : newForm(Date.now())),
    formProblems,
  );
  const save = useMutation({
    mutationFn: () => (editing ? announcementsStaffApi.change(editing.id, toRequest(form)) : announcementsStaffApi.publish(toRequest(form))),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: KEY });
      void queryClient.invalidateQueries({ queryKey: ["announcements"] });
      toast.show({ kind: "success", title: t(editing ? "announcements.saved" : "announcements.published", { title: saved.title }) });
      reset(newForm(Date.now()));
      onDone();
    },
  });
  const set = (field: Exclude<keyof AnnouncementForm, "translations">) => (event: { target: { value: string } }) =>
    setForm({ ...form, [field]: event.target.value });
  const translate = (language: string, change: Partial<TranslationForm>) =>
    setForm({ ...form, translations: { ...form.translations, [language]: { title: "", body: "", stillFits: false, ...form.translations[language], ...change } } });

  return (
    <ContentEditor
      heading={editing ? t("announcements.editTitle", { title: editing.title }) : t("announcements.newTitle")}
      onSubmit={submit(() => save.mutate())}
      save={editing ? t("announcements.save") : t("announcements.publish")}
      pending={save.isPending}
      error={save.error}
      cancel={editing ? t("announcements.cancelEdit") : null}
      onCancel={onDone}
    >
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
      {TRANSLATED_LANGUAGES.map((language) => {
        const name = languageName(language, locale);
        const text = form.translations[language] ?? { title: "", body: "", stillFits: false };
        return (
          <TranslationFieldset
            key={language}
            legend={t("announcements.form.translation", { language: name })}
            hint={t("announcements.form.translationHint", { language: name })}
            outdated={editing?.translations[language]?.outdated ? t("announcements.form.translationOutdated", { language: name }) : null}
            stillFits={
              mayGoStale(editing, form, language)
                ? { label: t("announcements.form.stillFits", { language: name }), checked: text.stillFits, onChange: (stillFits) => translate(language, { stillFits }) }
                : null
            }
          >
            <Field
              label={t("announcements.form.translatedTitle", { language: name })}
              lang={language}
              value={text.title}
              maxLength={MAX_TITLE_CHARS}
              onChange={(event) => translate(language, { title: event.target.value })}
              error={shown(`title:${language}`)}
            />
            <TextAreaField
              label={t("announcements.form.translatedBody", { language: name })}
              lang={language}
              rows={4}
              value={text.body}
              maxLength={MAX_BODY_CHARS}
              onChange={(event) => translate(language, { body: event.target.value })}
              error={shown(`body:${language}`)}
            />
          </TranslationFieldset>
        );
      })}
    </ContentEditor>
  );
}
