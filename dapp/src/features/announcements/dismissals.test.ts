import { describe, expect, it } from "vitest";
import { DISMISSED_KEY, MAX_KEPT, dismiss, readDismissed } from "./dismissals";

function memory(initial?: string) {
  const values = new Map<string, string>(initial === undefined ? [] : [[DISMISSED_KEY, initial]]);
  return { getItem: (key: string) => values.get(key) ?? null, setItem: (key: string, value: string) => void values.set(key, value), values };
}

describe("dismissed announcements", () => {
  it("are remembered per id across reads, so a new announcement still shows", () => {
    const store = memory();
    expect(readDismissed(store).size).toBe(0);
    dismiss(3, store);
    dismiss(5, store);
    dismiss(3, store);
    expect([...readDismissed(store)].sort()).toEqual([3, 5]);
    expect(readDismissed(store).has(4)).toBe(false);
  });

  it("read a broken or foreign stored value as nothing dismissed", () => {
    expect(readDismissed(memory("{not json")).size).toBe(0);
    expect(readDismissed(memory('{"a":1}')).size).toBe(0);
    expect([...readDismissed(memory('[1,"2",1.5,null,7]'))]).toEqual([1, 7]);
    expect(readDismissed(null).size).toBe(0);
  });

  it("keep only the latest ids", () => {
    const store = memory();
    for (let id = 1; id <= MAX_KEPT + 5; id += 1) dismiss(id, store);
    const kept = readDismissed(store);
    expect(kept.size).toBe(MAX_KEPT);
    expect(kept.has(1)).toBe(false);
    expect(kept.has(MAX_KEPT + 5)).toBe(true);
  });
});
