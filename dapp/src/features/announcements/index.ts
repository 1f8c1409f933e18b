export { Announcements } from "./announcements";
