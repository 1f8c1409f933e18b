import { describe, expect, it } from "vitest";
import { threadActions } from "./forum-moderation";

describe("a thread's moderation buttons", () => {
  it("offer to pin, lock and hide a thread that is none of these", () => {
    expect(threadActions({ pinned: false, locked: false, hidden: false }).map((a) => a.action)).toEqual(["pin", "lock", "hide"]);
  });

  it("offer to undo what is set", () => {
    expect(threadActions({ pinned: true, locked: true, hidden: true })).toEqual([
      { action: "unpin", label: "forum.staff.unpin" },
      { action: "unlock", label: "forum.staff.unlock" },
      { action: "unhide", label: "forum.staff.unhideThread" },
    ]);
  });
});
