/**
 * The announcement form's values and their checks in words before a request (the server checks again): start
 * and end are the staff member's local time (datetime-local inputs), sent as epoch milliseconds; the end must
 * be after the start. Moving the end into the past ends an announcement now. The title and body in each of the
 * dApp's other languages are optional: left empty, readers in that language see the English. A translation left
 * as it was while the English changes is outdated (readers see the English) unless staff tick that it still fits.
 */
import type { MessageKey } from "../../i18n";
import { TRANSLATED_LANGUAGES, leftBehind } from "./languages";

export type AnnouncementSeverity = "info" | "warning" | "critical";
export type AnnouncementPlacement = "banner" | "dialog";
export type AnnouncementStatus = "scheduled" | "live" | "ended" | "withdrawn";

export interface AnnouncementText {
  title: string;
  body: string;
}

export interface StaffAnnouncement {
  id: number;
  title: string;
  body: string;
  bodyHtml: string;
  severity: AnnouncementSeverity;
  placement: AnnouncementPlacement;
  startsAt: number;
  endsAt: number;
  updatedAt: number;
  status: AnnouncementStatus;
  withdrawnAt: number | null;
  withdrawnBy: string | null;
  createdBy: string;
  createdAt: number;
  updatedBy: string;
  /** By language; the announcement itself is the English. `outdated`: written from an English since changed, so
   *  readers in that language see the English. */
  translations: Record<string, AnnouncementText & { bodyHtml: string; outdated: boolean }>;
}

export interface AnnouncementIn {
  title: string;
  body: string;
  severity: AnnouncementSeverity;
  placement: AnnouncementPlacement;
  startsAt: number;
  endsAt: number;
  translations: Record<string, AnnouncementText & { stillFits?: boolean }>;
}

/** A translation in the form: its words, and whether staff say it still fits an English they changed. */
export interface TranslationForm extends AnnouncementText {
  stillFits: boolean;
}

export interface AnnouncementForm {
  title: string;
  body: string;
  severity: AnnouncementSeverity;
  placement: AnnouncementPlacement;
  /** datetime-local values: "2026-12-02T09:30" in the browser's time zone. */
  start: string;
  end: string;
  /** Every translated language's text; both empty: not translated. */
  translations: Record<string, TranslationForm>;
}

/** A form field; a translation's are named with their language ("title:zh-CN"). */
export type FormField = Exclude<keyof AnnouncementForm, "translations"> | `${keyof AnnouncementText}:${string}`;
export type FormProblems = Partial<Record<FormField, MessageKey>>;

export const MAX_TITLE_CHARS = 200;
export const MAX_BODY_CHARS = 10_000;
const DAY_MS = 86_400_000;

const pad = (n: number) => String(n).padStart(2, "0");

/** Epoch ms as a datetime-local value in the browser's time zone (to the minute). */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value as epoch ms (local time), or null when it is not one. */
export function fromLocalInput(value: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!match) return null;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match.slice(1).map((part) => Number(part ?? 0));
  const date = new Date(year, month - 1, day, hour, minute, second);
  // new Date rolls 2026-02-31 over into March: refuse what is not a real date
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return null;
  return date.getTime();
}

/** A new announcement's form: a banner of information from now for a day. */
export function newForm(now: number): AnnouncementForm {
  return {
    title: "", body: "", severity: "info", placement: "banner", start: toLocalInput(now), end: toLocalInput(now + DAY_MS),
    translations: translationsOf({}),
  };
}

export function formOf(announcement: StaffAnnouncement): AnnouncementForm {
  const { title, body, severity, placement } = announcement;
  return {
    title, body, severity, placement, start: toLocalInput(announcement.startsAt), end: toLocalInput(announcement.endsAt),
    translations: translationsOf(announcement.translations),
  };
}

function translationsOf(held: Record<string, AnnouncementText>): Record<string, TranslationForm> {
  return Object.fromEntries(
    TRANSLATED_LANGUAGES.map((language) => [language, { title: held[language]?.title ?? "", body: held[language]?.body ?? "", stillFits: false }]),
  );
}

/** Whether saving would leave `language`'s translation outdated: it is held, sent as it was, and the English it was
 *  written from is not the English sent (it was outdated already, or the form changed the English); then staff may
 *  say it still fits. */
export function mayGoStale(held: StaffAnnouncement | null, form: AnnouncementForm, language: string): boolean {
  const words = (text: AnnouncementText) => ({ title: text.title.trim(), body: text.body });
  const now = form.translations[language];
  return leftBehind(held && { english: words(held), translation: held.translations[language] }, {
    english: words(form),
    translation: now && words(now),
  });
}

/** Whether any of a translation's text is written (else it is not translated). */
const written = (text: AnnouncementText) => text.title.trim() !== "" || text.body.trim() !== "";

/** What is wrong with the form, per field, in words (empty: nothing). */
export function formProblems(form: AnnouncementForm): FormProblems {
  const problems: FormProblems = {};
  const texts: [string, AnnouncementText][] = [["", form], ...Object.entries(form.translations).filter(([, text]) => written(text))];
  for (const [language, text] of texts) {
    const [title, body] = language ? ([`title:${language}`, `body:${language}`] as const) : (["title", "body"] as const);
    if (!text.title.trim()) problems[title] = "announcements.form.titleRequired";
    else if (text.title.trim().length > MAX_TITLE_CHARS) problems[title] = "announcements.form.titleTooLong";
    if (!text.body.trim()) problems[body] = "announcements.form.bodyRequired";
    else if (text.body.length > MAX_BODY_CHARS) problems[body] = "announcements.form.bodyTooLong";
  }
  const start = fromLocalInput(form.start);
  const end = fromLocalInput(form.end);
  if (start === null) problems.start = "announcements.form.timeInvalid";
  if (end === null) problems.end = "announcements.form.timeInvalid";
  else if (start !== null && end <= start) problems.end = "announcements.form.endBeforeStart";
  return problems;
}

/** The request of a form without problems. */
export function toRequest(form: AnnouncementForm): AnnouncementIn {
  return {
    title: form.title.trim(),
    body: form.body,
    severity: form.severity,
    placement: form.placement,
    startsAt: fromLocalInput(form.start) ?? 0,
    endsAt: fromLocalInput(form.end) ?? 0,
    translations: Object.fromEntries(
      Object.entries(form.translations)
        .filter(([, text]) => written(text))
        .map(([language, text]) => [language, { title: text.title.trim(), body: text.body, ...(text.stillFits ? { stillFits: true } : {}) }]),
    ),
  };
}
