/**
 * Which announcements this browser dismissed, by id, in localStorage (so a dismissed banner stays gone after a
 * reload, and a new announcement still shows). Only the latest MAX_KEPT ids are kept.
 */
export const DISMISSED_KEY = "hdex.announcements.dismissed";
export const MAX_KEPT = 200;

type Store = Pick<Storage, "getItem" | "setItem">;

function defaultStore(): Store | null {
  try {
    return typeof window === "undefined" ? null : window.localStorage;
  } catch {
    return null; // storage disabled: dismissals last until the page reloads
  }
}

/** The dismissed ids (an unreadable or foreign value counts as none). */
export function readDismissed(store: Store | null = defaultStore()): Set<number> {
  try {
    const value: unknown = JSON.parse(store?.getItem(DISMISSED_KEY) ?? "[]");
    return new Set(Array.isArray(value) ? value.filter((id): id is number => Number.isSafeInteger(id)) : []);
  } catch {
    return new Set();
  }
}

/** Remember `id` as dismissed; returns the ids now dismissed. */
export function dismiss(id: number, store: Store | null = defaultStore()): Set<number> {
  const ids = [...readDismissed(store)].filter((kept) => kept !== id);
  ids.push(id);
  const kept = ids.slice(-MAX_KEPT);
  try {
    store?.setItem(DISMISSED_KEY, JSON.stringify(kept));
  } catch {
    // full or disabled storage: the dismissal holds for this page only
  }
  return new Set(kept);
}
