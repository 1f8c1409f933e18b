/** The forum's categories in the back office: add one, rename it and rewrite its description, in English and in
 *  each of the dApp's other languages, move it up or down the list users see, and delete one no thread was posted in
 *  (a mistyped slug: a category keeps its slug, its address). The audit log keeps every change (server side). */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { Field, TextAreaField, useToast, type Column } from "../../components/ui";
import { useI18n } from "../../i18n";
import {
  MAX_DESCRIPTION_CHARS,
  MAX_NAME_CHARS,
  MAX_SLUG_CHARS,
  categoryFormOf,
  categoryMayGoStale,
  categoryProblems,
  categoryRequest,
  newCategoryForm,
  type CategoryField,
  type CategoryForm,
  type CategoryTranslationForm,
} from "./category-form";
import { ConfirmDialog } from "./confirm-dialog";
import { ContentEditor, TranslationFieldset, useContentForm } from "./content-editor";
import { forumModeration, type CategoryMove, type CategoryText, type StaffCategory } from "./forum-moderation";
import { TRANSLATED_LANGUAGES, languageName } from "./languages";
import { QueryTable } from "./query-table";
import { staffErrorText } from "./staff-errors";

const CATEGORIES = ["staff", "forum", "categories"];

export function Categories() {
  const { t, locale } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: CATEGORIES, queryFn: forumModeration.categories });
  const [editing, setEditing] = useState<StaffCategory | null>(null);
  const [deleting, setDeleting] = useState<StaffCategory | null>(null);
  // a move or a delete answers every category in its place: shown at once; the readers' list is read again
  const showList = (answer: { categories: StaffCategory[] }) => {
    queryClient.setQueryData(CATEGORIES, answer);
    void queryClient.invalidateQueries({ queryKey: ["forum", "categories"] });
  };
  const remove = useMutation({
    mutationFn: (category: StaffCategory) => forumModeration.deleteCategory(category.slug),
    onSuccess: (left, category) => {
      showList(left);
      if (editing?.slug === category.slug) setEditing(null);
      setDeleting(null);
      toast.show({ kind: "success", title: t("backoffice.forum.category.deleted", { name: category.name }) });
    },
  });
  const move = useMutation({
    mutationFn: ({ category, direction }: { category: StaffCategory; direction: CategoryMove }) => forumModeration.moveCategory(category.slug, direction),
    onSuccess: (moved, { category, direction }) => {
      showList(moved);
      toast.show({ kind: "success", title: t(`backoffice.forum.category.moved.${direction}`, { name: category.name }) });
    },
    onError: (error) => toast.show({ kind: "error", title: staffErrorText(error, t) }),
  });
  const count = list.data?.categories.length ?? 0;
  const columns: Column<StaffCategory>[] = [
    { id: "name", header: t("backoffice.forum.category.col.name"), cell: (c) => <span className="cell-wrap">{c.name}</span> },
    { id: "slug", header: t("backoffice.forum.category.col.slug"), cell: (c) => <code>{c.slug}</code> },
    { id: "description", header: t("backoffice.forum.category.col.description"), cell: (c) => <span className="cell-wrap">{c.description}</span> },
    { id: "threads", header: t("backoffice.forum.category.col.threads"), align: "end", cell: (c) => c.threadCount },
    {
      id: "translations",
      header: t("backoffice.forum.category.col.translations"),
      cell: (c) =>
        Object.entries(c.translations)
          .map(([language, text]) => (text.outdated ? t("backoffice.forum.category.languageOutdated", { language: languageName(language, locale) }) : languageName(language, locale)))
          .join(", ") || t("backoffice.forum.category.noTranslations"),
    },
    {
      id: "action",
      header: t("forum.staff.col.action"),
      cell: (c) => {
        const place = list.data?.categories.indexOf(c) ?? -1;
        return (
          <span className="staff-card__actions">
            <button type="button" className="button button--small" aria-label={t("backoffice.forum.category.editNamed", { name: c.name })} onClick={() => setEditing(c)}>
              {t("backoffice.forum.category.edit")}
            </button>
            {(["up", "down"] as const).map((direction) => (
              <button
                key={direction}
                type="button"
                className="button button--small button--ghost"
                // the first cannot go up, nor the last down
                disabled={move.isPending || (direction === "up" ? place <= 0 : place >= count - 1)}
                aria-label={t(`backoffice.forum.category.moveNamed.${direction}`, { name: c.name })}
                onClick={() => move.mutate({ category: c, direction })}
              >
                {t(`backoffice.forum.category.move.${direction}`)}
              </button>
            ))}
            <button
              type="button"
              className="button button--small button--ghost"
              aria-label={t("backoffice.forum.category.deleteNamed", { name: c.name })}
              onClick={() => setDeleting(c)}
            >
              {t("backoffice.forum.category.delete")}
            </button>
          </span>
        );
      },
    },
  ];
  return (
    <div>
      <h3>{t("backoffice.forum.category.title")}</h3>
      <QueryTable
        label={t("backoffice.forum.category.title")}
        columns={columns}
        rows={list.data?.categories}
        rowKey={(c) => c.slug}
        query={list}
        empty={t("backoffice.forum.category.empty")}
      />
      {/* a fresh editor for each category, so no half-typed change carries over */}
      <Fragment key={editing?.slug ?? "new"}>
        <CategoryEditor editing={editing} onDone={() => setEditing(null)} />
      </Fragment>
      <ConfirmDialog
        open={deleting !== null}
        title={deleting ? t("backoffice.forum.category.deleteTitle", { name: deleting.name }) : ""}
        confirm={t("backoffice.forum.category.confirmDelete")}
        danger
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
      >
        <p>{t("backoffice.forum.category.deleteText")}</p>
      </ConfirmDialog>
    </div>
  );
}

function CategoryEditor({ editing, onDone }: { editing: StaffCategory | null; onDone(): void }) {
  const { t, locale } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const { form, setForm, shown, submit, reset } = useContentForm<CategoryForm, CategoryField>(
    () => (editing ? categoryFormOf(editing) : newCategoryForm()),
    categoryProblems,
  );
  const save = useMutation({
    mutationFn: () =>
      editing ? forumModeration.changeCategory(editing.slug, categoryRequest(form)) : forumModeration.addCategory(form.slug, categoryRequest(form)),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: CATEGORIES });
      void queryClient.invalidateQueries({ queryKey: ["forum", "categories"] });
      toast.show({ kind: "success", title: t(editing ? "backoffice.forum.category.saved" : "backoffice.forum.category.added", { name: saved.name }) });
      reset(newCategoryForm());
      onDone();
    },
  });
  const set = (field: keyof CategoryText | "slug") => (event: { target: { value: string } }) => setForm({ ...form, [field]: event.target.value });
  const translate = (language: string, change: Partial<CategoryTranslationForm>) =>
    setForm({ ...form, translations: { ...form.translations, [language]: { name: "", description: "", stillFits: false, ...form.translations[language], ...change } } });

  return (
    <ContentEditor
      heading={editing ? t("backoffice.forum.category.editTitle", { name: editing.name }) : t("backoffice.forum.category.newTitle")}
      onSubmit={submit(() => save.mutate())}
      save={editing ? t("backoffice.forum.category.save") : t("backoffice.forum.category.add")}
      pending={save.isPending}
      error={save.error}
      cancel={editing ? t("backoffice.forum.category.cancel") : null}
      onCancel={onDone}
    >
      <Field
        label={t("backoffice.forum.category.slug")}
        value={form.slug}
        readOnly={editing !== null}
        autoComplete="off"
        spellCheck={false}
        maxLength={MAX_SLUG_CHARS}
        onChange={set("slug")}
        error={shown("slug")}
        hint={t(editing ? "backoffice.forum.category.slugKept" : "backoffice.forum.category.slugHint")}
      />
      <Field
        label={t("backoffice.forum.category.name")}
        value={form.name}
        maxLength={MAX_NAME_CHARS}
        onChange={set("name")}
        error={shown("name")}
        // Edit (in the table above) moves the caret here: the form it filled is below the list
        autoFocus={editing !== null}
      />
      <TextAreaField
        label={t("backoffice.forum.category.description")}
        rows={2}
        value={form.description}
        maxLength={MAX_DESCRIPTION_CHARS}
        onChange={set("description")}
        error={shown("description")}
      />
      {TRANSLATED_LANGUAGES.map((language) => {
        const name = languageName(language, locale);
        const text = form.translations[language] ?? { name: "", description: "", stillFits: false };
        return (
          <TranslationFieldset
            key={language}
            legend={t("backoffice.forum.category.translation", { language: name })}
            hint={t("backoffice.forum.category.translationHint", { language: name })}
            outdated={editing?.translations[language]?.outdated ? t("backoffice.forum.category.translationOutdated") : null}
            stillFits={
              categoryMayGoStale(editing, form, language)
                ? { label: t("backoffice.forum.category.stillFits", { language: name }), checked: text.stillFits, onChange: (stillFits) => translate(language, { stillFits }) }
                : null
            }
          >
            <Field
              label={t("backoffice.forum.category.translatedName", { language: name })}
              lang={language}
              value={text.name}
              maxLength={MAX_NAME_CHARS}
              onChange={(event) => translate(language, { name: event.target.value })}
              error={shown(`name:${language}`)}
            />
            <TextAreaField
              label={t("backoffice.forum.category.translatedDescription", { language: name })}
              lang={language}
              rows={2}
              value={text.description}
              maxLength={MAX_DESCRIPTION_CHARS}
              onChange={(event) => translate(language, { description: event.target.value })}
              error={shown(`description:${language}`)}
            />
          </TranslationFieldset>
        );
      })}
    </ContentEditor>
  );
}
