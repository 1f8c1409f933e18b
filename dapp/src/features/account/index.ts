import { lazy } from "react";

export { AccountLink } from "./account-link";
export type { Limits } from "./account-api";

/** The account page, in its own chunk. */
export const AccountPage = lazy(() => import("./account-page"));

/** The limit meters (for the back office's user view), in the same chunk as the page. */
export const LimitsSummary = lazy(() => import("./limits-panel").then((module) => ({ default: module.LimitsSummary })));
