import { lazy } from "react";

export { AccountLink } from "./account-link";
export type { KycDocument, Limits, Profile, Submission, SubmissionStatus } from "./account-api";
export { SUBMISSION_STATUS_NAMES } from "./kyc-steps";

/** The account page, in its own chunk. */
export const AccountPage = lazy(() => import("./account-page"));

/** The limit meters (for the back office's user view), in the same chunk as the page. */
export const LimitsSummary = lazy(() => import("./limits-panel").then((module) => ({ default: module.LimitsSummary })));
