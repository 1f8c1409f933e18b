/** A submission's "outcome unknown" state for React: re-renders whenever it may have changed. */
import { useSyncExternalStore } from "react";
import type { SignedSubmission } from "./signed-submission";

const NEVER = () => () => undefined;

/** Whether `submission` keeps a signed body whose outcome is unknown (it is sent again, never signed anew). */
export function useResending<Body, Answer>(submission: SignedSubmission<Body, Answer> | null | undefined): boolean {
  return useSyncExternalStore(
    submission ? (listener) => submission.subscribe(listener) : NEVER,
    () => submission?.resending ?? false,
    () => submission?.resending ?? false,
  );
}
