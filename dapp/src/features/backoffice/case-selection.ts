/** The case the Cases section shows, set from elsewhere too (the alert a case was opened from). */
import { createStore } from "../../lib/store";

export const selectedCase = createStore<number | null>(null);
