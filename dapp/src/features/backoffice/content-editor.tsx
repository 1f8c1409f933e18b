/** The form that writes one item staff publish (announcements, help articles): a new one, or changes to the one
 * being edited. Problems show in words once a save was tried; a form with problems is not sent. */
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { useI18n, type MessageKey } from "../../i18n";
import { StaffErrorAlert } from "./staff-error-alert";

/** The form's values, each field's problem once a save was tried, and a submit that saves only a form without problems.
 * `Field` names the fields problems are told for: the form's own keys unless it names nested ones itself. */
export function useContentForm<Form, Field extends string = Extract<keyof Form, string>>(
  initial: () => Form,
  problemsOf: (form: Form) => Partial<Record<Field, MessageKey>>,
) {
  const { t } = useI18n();
  const [form, setForm] = useState(initial);
  const [attempted, setAttempted] = useState(false);
  const problems = problemsOf(form);
  return {
    form,
    setForm,
    shown(field: Field): string | null {
      const problem = problems[field];
      return attempted && problem ? t(problem) : null;
    },
    submit: (save: () => void) => (event: FormEvent) => {
      event.preventDefault();
      setAttempted(true);
      if (!Object.keys(problems).length) save();
    },
    /** After a save: start again from `next`, no problems shown. */
    reset(next: Form) {
      setForm(next);
      setAttempted(false);
    },
  };
}

interface ContentEditorProps {
  heading: string;
  onSubmit(event: FormEvent): void;
  /** The submit button's text. */
  save: string;
  pending: boolean;
  error: unknown;
  /** The Cancel button's text while an existing item is edited; null for a new one. */
  cancel: string | null;
  onCancel(): void;
  /** The fields. */
  children: ReactNode;
  /** More buttons after the submit button (Preview). */
  actions?: ReactNode;
  /** Below the form's error (the preview). */
  after?: ReactNode;
}

export function ContentEditor({ heading, onSubmit, save, pending, error, cancel, onCancel, children, actions, after }: ContentEditorProps) {
  const ids = useId();
  return (
    <form className="staff-form" onSubmit={onSubmit} noValidate aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`}>{heading}</h3>
      {children}
      <div className="staff-card__actions">
        <button type="submit" className="button button--primary" disabled={pending}>
          {save}
        </button>
        {actions}
        {cancel !== null ? (
          <button type="button" className="button" onClick={onCancel}>
            {cancel}
          </button>
        ) : null}
      </div>
      <StaffErrorAlert error={error} />
      {after}
    </form>
  );
}

interface TranslationFieldsetProps {
  legend: string;
  /** What a translation is for, above its fields. */
  hint: string;
  /** Why the held translation is outdated; null when it is not. */
  outdated: string | null;
  /** The "still fits" choice where a save would leave the translation behind the English; null elsewhere. */
  stillFits: { label: string; checked: boolean; onChange(checked: boolean): void } | null;
  /** The translated fields. */
  children: ReactNode;
}

/** One language's translation in a form that writes the English and its translations together (announcements,
 *  forum categories). */
export function TranslationFieldset({ legend, hint, outdated, stillFits, children }: TranslationFieldsetProps) {
  return (
    <fieldset className="staff-form__fieldset">
      <legend>{legend}</legend>
      <p className="staff-form__note">{hint}</p>
      {outdated ? (
        <p className="form-error" role="status">
          {outdated}
        </p>
      ) : null}
      {children}
      {stillFits ? (
        <label className="checkbox">
          <input type="checkbox" checked={stillFits.checked} onChange={(event) => stillFits.onChange(event.target.checked)} /> {stillFits.label}
        </label>
      ) : null}
    </fieldset>
  );
}
