export { Notifications } from "./notifications";
