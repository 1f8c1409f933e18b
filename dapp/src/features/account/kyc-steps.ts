/** Where the user stands on each KYC level, from the profile and the submissions: what the page offers next. */
import type { MessageKey } from "../../i18n";
import type { KycState, Profile, Submission, SubmissionStatus } from "./account-api";

/** A submission's status in words (the user's page and the staff review list say it alike). */
export const SUBMISSION_STATUS_NAMES: Record<SubmissionStatus, MessageKey> = {
  pending: "kyc.status.pending",
  approved: "kyc.status.approved",
  rejected: "kyc.status.rejected",
};

/**
 * - open: the form can be sent (first time, or again after a rejection)
 * - pending: a submission of this level awaits review
 * - done: the wallet holds this level or a higher one
 * - locked: level 2 needs an approved level 1 first
 * - restricted: the declared country, or the approved identity data's, may not pass level 0
 */
export type StepState = "open" | "pending" | "done" | "locked" | "restricted";

export function stepState(
  level: 1 | 2,
  kyc: KycState,
  profile: Pick<Profile, "countryRestricted" | "identityCountryRestricted">,
): StepState {
  if (kyc.level >= level) return "done";
  if (profile.countryRestricted || profile.identityCountryRestricted) return "restricted";
  if (level === 2 && kyc.level < 1) return "locked";
  if (kyc.submissions.some((submission) => submission.level === level && submission.status === "pending")) return "pending";
  return "open";
}

/** The newest submission of `level` (the list is newest first). */
export function latestOf(level: 1 | 2, submissions: readonly Submission[]): Submission | null {
  return submissions.find((submission) => submission.level === level) ?? null;
}

/** The element ids of the two forms' headings: the limits panel's button moves focus there. */
export const FORM_HEADING_IDS = { 1: "kyc-level1-form", 2: "kyc-level2-form" } as const;

/** Bring a level's form into view and put the keyboard focus on its heading. */
export function goToForm(level: 1 | 2): void {
  const heading = document.getElementById(FORM_HEADING_IDS[level]);
  if (!heading) return;
  const reduced = window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
  heading.scrollIntoView({ block: "start", behavior: reduced ? "auto" : "smooth" });
  heading.focus({ preventScroll: true });
}
