/** The staff announcements API (permission announcements.manage): list, publish, change, withdraw. */
import { staffHttp } from "./staff-api";
import type { AnnouncementIn, StaffAnnouncement } from "./announcements-form";

export const announcementsStaffApi = {
  list: (cursor: string | null) =>
    staffHttp.get<{ announcements: StaffAnnouncement[]; next: string | null }>("/v1/staff/announcements", { limit: 100, cursor }),
  publish: (body: AnnouncementIn) => staffHttp.post<StaffAnnouncement>("/v1/staff/announcements", body),
  change: (id: number, body: AnnouncementIn) => staffHttp.put<StaffAnnouncement>(`/v1/staff/announcements/${id}`, body),
  withdraw: (id: number) => staffHttp.post<StaffAnnouncement>(`/v1/staff/announcements/${id}/withdraw`),
};
