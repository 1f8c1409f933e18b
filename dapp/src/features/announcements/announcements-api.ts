/** The public announcements API: those in their window now (GET /v1/announcements). */
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
}

export const announcementsApi = {
  current: () => api.get<{ announcements: Announcement[] }>("/v1/announcements"),
};
