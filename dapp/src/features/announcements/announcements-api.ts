/** The public announcements API: those in their window now (GET /v1/announcements), each in the reader's language
 * (`lang`) where staff translated it, else in English (`language` says which). */
import { api } from "../../lib/api-client";

export type Severity = "info" | "warning" | "critical";
export type Placement = "banner" | "dialog";

export interface Announcement {
  id: number;
  /** As typed by staff: shown as text only. */
  title: string;
  /** Rendered and sanitized by the server (backend/markup.py): the only HTML inserted as HTML. */
  bodyHtml: string;
  severity: Severity;
  placement: Placement;
  startsAt: number;
  endsAt: number;
  updatedAt: number;
  /** The language of the title and body: the reader's where translated, else "en". */
  language: string;
}

export const announcementsApi = {
  current: (lang: string) => api.get<{ announcements: Announcement[] }>("/v1/announcements", { query: { lang } }),
};
