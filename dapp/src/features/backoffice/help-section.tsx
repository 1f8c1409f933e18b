/** The help center's articles for staff: write in Markdown with a preview rendered by the server (exactly as
 * the help center shows it), translate into the dApp's other languages, publish or unpublish, delete. Every change
 * is in the audit log (server side). */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Field, TextAreaField, useToast, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import { ContentEditor, useContentForm } from "./content-editor";
import { ContentSection, type ItemActions } from "./content-section";
import {
  MAX_BODY_CHARS,
  MAX_SLUG_CHARS,
  MAX_TITLE_CHARS,
  articleForm,
  articleProblems,
  emptyArticle,
  helpStaffApi,
  slugFromTitle,
  translationForm,
  translationOf,
  translationProblems,
  type StaffArticle,
} from "./help-articles";
import { TRANSLATED_LANGUAGES, languageName } from "./languages";
import { staffErrorText } from "./staff-errors";
import type { StaffMember } from "./staff-types";

const KEY = ["staff", "help"];

export function HelpSection(_props: { member: StaffMember }) {
  const { t, formatDateTime, locale } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [query, setQuery] = useState("");
  const list = useQuery({ queryKey: [...KEY, query.trim()], queryFn: () => helpStaffApi.list(query) });
  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: KEY }), queryClient.invalidateQueries({ queryKey: ["help"] })]);
  const toggle = useMutation({
    mutationFn: (article: StaffArticle) => helpStaffApi.change(article.id, { ...articleForm(article), published: !article.published }),
    onSuccess: (saved) => {
      toast.show({ kind: "success", title: t(saved.published ? "help.staff.publishedToast" : "help.staff.unpublishedToast", { title: saved.title }) });
      return refresh(); // pending until the list has read the change: its Edit waits for it (ArticleButtons)
    },
    onError: (error) => toast.show({ kind: "error", title: staffErrorText(error, t) }),
  });

  const columns = (actions: ItemActions<StaffArticle>): Column<StaffArticle>[] => [
    { id: "title", header: t("help.staff.title"), cell: (a) => <span className="cell-wrap">{a.title}</span> },
    { id: "slug", header: t("help.staff.slug"), cell: (a) => <code>{a.slug}</code> },
    { id: "state", header: t("help.staff.state"), cell: (a) => (a.published ? t("help.staff.isPublished") : t("help.staff.isDraft")) },
    {
      id: "translations",
      header: t("help.staff.translations"),
      cell: (a) =>
        a.translations.length
          ? a.translations
              .map((tr) => (tr.outdated ? t("help.staff.languageOutdated", { language: languageName(tr.language, locale) }) : languageName(tr.language, locale)))
              .join(", ")
          : t("help.staff.noTranslations"),
    },
    { id: "updated", header: t("help.staff.updated"), cell: (a) => formatDateTime(a.updatedAt) },
    { id: "action", header: t("help.staff.action"), cell: (a) => <ArticleButtons article={a} actions={actions} toggle={toggle} /> },
  ];

  return (
    <ContentSection
      title={t("backoffice.help.title")}
      editor={(editing, done) => (
        <>
          <ArticleEditor editing={editing} onDone={done} onSaved={refresh} />
          {editing
            ? TRANSLATED_LANGUAGES.map((language) => (
                <TranslationEditor key={`${editing.id}-${language}`} article={editing} language={language} onSaved={refresh} />
              ))
            : null}
        </>
      )}
      filters={
        <div className="backoffice-section__filters">
          <Field label={t("help.staff.search")} type="search" value={query} maxLength={200} onChange={(event) => setQuery(event.target.value)} />
        </div>
      }
      table={{ label: t("help.staff.articles"), query: list, rows: list.data?.articles, columns, empty: t("help.staff.empty") }}
      takeDown={{
        run: (a) => helpStaffApi.remove(a.id),
        onDone: () => {
          void refresh();
          toast.show({ kind: "success", title: t("help.staff.deletedToast") });
        },
        title: (a) => t("help.staff.deleteTitle", { title: a.title }),
        confirm: t("help.staff.confirmDelete"),
        text: t("help.staff.deleteText"),
      }}
    />
  );
}

/** What a row's Publish or Unpublish button needs of the change it makes (the section's mutation). */
interface PublishToggle {
  isPending: boolean;
  /** The article whose change is on its way. */
  variables: StaffArticle | undefined;
  mutate(article: StaffArticle): void;
}

/** An article row's Edit, Publish or Unpublish, and Delete. */
export function ArticleButtons({ article, actions, toggle }: { article: StaffArticle; actions: ItemActions<StaffArticle>; toggle: PublishToggle }) {
  const { t } = useI18n();
  // The editor saves the whole article (PUT) with its Published box, set from the row when Edit was pressed: a
  // publish from the row meanwhile would be undone by that save, and saving the row's state instead would have the
  // box say one thing and the save do another. So while the article is open in the editor, the box is its one
  // switch (what the editor shows is what it saves); and Edit waits for a change on its way to reach the list.
  const editing = actions.isEditing(article);
  const changing = toggle.isPending && toggle.variables?.id === article.id;
  return (
    <div className="staff-card__actions">
      <button
        type="button"
        className="button button--small"
        disabled={changing}
        aria-label={t("help.staff.editNamed", { title: article.title })}
        onClick={() => actions.edit(article)}
      >
        {t("help.staff.edit")}
      </button>
      <button
        type="button"
        className="button button--small"
        disabled={toggle.isPending || editing}
        title={editing ? t("help.staff.publishInEditor") : undefined}
        aria-label={t(article.published ? "help.staff.unpublishNamed" : "help.staff.publishNamed", { title: article.title })}
        onClick={() => toggle.mutate(article)}
      >
        {article.published ? t("help.staff.unpublish") : t("help.staff.publish")}
      </button>
      <button
        type="button"
        className="button button--small"
        aria-label={t("help.staff.deleteNamed", { title: article.title })}
        onClick={() => actions.takeDown(article)}
      >
        {t("help.staff.delete")}
      </button>
    </div>
  );
}

function ArticleEditor({ editing, onDone, onSaved }: { editing: StaffArticle | null; onDone(): void; onSaved(): void }) {
  const { t } = useI18n();
  const toast = useToast();
  const { form, setForm, shown, submit, reset } = useContentForm(() => (editing ? articleForm(editing) : emptyArticle), articleProblems);
  const [slugTouched, setSlugTouched] = useState(editing !== null);
  const [previewHtml, setPreviewHtml] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () => (editing ? helpStaffApi.change(editing.id, form) : helpStaffApi.create(form)),
    onSuccess: (saved) => {
      onSaved();
      toast.show({ kind: "success", title: t("help.staff.savedToast", { title: saved.title }) });
      reset(emptyArticle);
      setSlugTouched(false);
      setPreviewHtml(null);
      onDone();
    },
  });
  const preview = useMutation({ mutationFn: () => helpStaffApi.preview(form.body), onSuccess: ({ html }) => setPreviewHtml(html) });

  return (
    <ContentEditor
      heading={editing ? t("help.staff.editTitle", { title: editing.title }) : t("help.staff.newTitle")}
      onSubmit={submit(() => save.mutate())}
      save={t("help.staff.save")}
      pending={save.isPending}
      error={save.error ?? preview.error}
      cancel={editing ? t("help.staff.cancel") : null}
      onCancel={onDone}
      actions={
        <button type="button" className="button" disabled={preview.isPending || !form.body.trim()} onClick={() => preview.mutate()}>
          {t("help.staff.preview")}
        </button>
      }
      after={
        previewHtml !== null ? (
          <div role="region" aria-label={t("help.staff.previewLabel")} className="help-preview">
            {/* the server's sanitized rendering (backend/markup.py) */}
            <div dangerouslySetInnerHTML={{ __html: previewHtml }} />
          </div>
        ) : null
      }
    >
      <div className="staff-form__row">
        <Field
          label={t("help.staff.title")}
          value={form.title}
          maxLength={MAX_TITLE_CHARS}
          onChange={(event) => {
            const title = event.target.value;
            setForm({ ...form, title, slug: slugTouched ? form.slug : slugFromTitle(title) });
          }}
          error={shown("title")}
        />
        <Field
          label={t("help.staff.slug")}
          value={form.slug}
          maxLength={MAX_SLUG_CHARS}
          spellCheck={false}
          autoComplete="off"
          onChange={(event) => {
            setSlugTouched(true);
            setForm({ ...form, slug: event.target.value });
          }}
          error={shown("slug")}
          hint={t("help.staff.slugHint")}
        />
      </div>
      <BodyField label={t("help.staff.body")} value={form.body} onChange={(body) => setForm({ ...form, body })} error={shown("body")} />
      <label className="checkbox">
        <input type="checkbox" checked={form.published} onChange={(event) => setForm({ ...form, published: event.target.checked })} />{" "}
        {t("help.staff.publishedLabel")}
      </label>
    </ContentEditor>
  );
}

/** The article's title and body in `language`: written, rewritten or removed (its readers then see the English). */
function TranslationEditor({ article, language, onSaved }: { article: StaffArticle; language: string; onSaved(): void }) {
  const { t, locale } = useI18n();
  const toast = useToast();
  const name = languageName(language, locale);
  const { form, setForm, shown, submit, reset } = useContentForm(() => translationForm(article, language), translationProblems);
  // `article` is the list's row when Edit was pressed: the translation (whether there is one, whether the English
  // changed after it) changes with each save or removal
  const [held, setHeld] = useState(translationOf(article, language));
  const exists = held !== undefined;
  const saved = (next: StaffArticle, toastKey: "help.staff.translationSavedToast" | "help.staff.translationRemovedToast") => {
    setHeld(translationOf(next, language));
    reset(translationForm(next, language));
    onSaved();
    toast.show({ kind: "success", title: t(toastKey, { language: name, title: next.title }) });
  };
  const save = useMutation({
    mutationFn: () => helpStaffApi.translate(article.id, language, form),
    onSuccess: (next) => saved(next, "help.staff.translationSavedToast"),
  });
  const remove = useMutation({
    mutationFn: () => helpStaffApi.untranslate(article.id, language),
    onSuccess: (next) => saved(next, "help.staff.translationRemovedToast"),
  });

  return (
    <ContentEditor
      heading={t("help.staff.translationTitle", { language: name })}
      onSubmit={submit(() => save.mutate())}
      save={t("help.staff.saveTranslation", { language: name })}
      pending={save.isPending || remove.isPending}
      error={save.error ?? remove.error}
      cancel={null}
      onCancel={() => undefined}
      actions={
        exists ? (
          <button type="button" className="button" disabled={remove.isPending} onClick={() => remove.mutate()}>
            {t("help.staff.removeTranslation", { language: name })}
          </button>
        ) : null
      }
    >
      <p className="staff-form__note">{t(exists ? "help.staff.translationShown" : "help.staff.translationMissing", { language: name })}</p>
      {held?.outdated ? (
        <p className="form-error" role="status">
          {t("help.staff.translationOutdated")}
        </p>
      ) : null}
      <Field
        label={t("help.staff.translatedTitle", { language: name })}
        lang={language}
        value={form.title}
        maxLength={MAX_TITLE_CHARS}
        onChange={(event) => setForm({ ...form, title: event.target.value })}
        error={shown("title")}
      />
      <BodyField
        label={t("help.staff.translatedBody", { language: name })}
        lang={language}
        value={form.body}
        onChange={(body) => setForm({ ...form, body })}
        error={shown("body")}
      />
    </ContentEditor>
  );
}

/** The Markdown body of an article or of a translation (in `lang`). */
function BodyField({ label, lang, value, onChange, error }: { label: string; lang?: string; value: string; onChange(body: string): void; error: string | null }) {
  const { t } = useI18n();
  return (
    <TextAreaField
      label={label}
      lang={lang}
      rows={10}
      value={value}
      maxLength={MAX_BODY_CHARS}
      onChange={(event) => onChange(event.target.value)}
      error={error}
      hint={t("help.staff.bodyHint")}
    />
  );
}
