import "./messages";
import { describe, expect, it } from "vitest";
import { providedMarkup } from "../../testing/markup";
import type { SavedReply } from "./support-desk";
import { DeleteSavedReplyDialog, SavedReplies } from "./support-saved-replies";

const reply: SavedReply = { id: 4, title: "Deposit delays", body: "Wait for 12 confirmations.", html: "<p>Wait for 12 confirmations.</p>", updatedBy: "staff:desk@hdex.example", updatedAt: 0 };

describe("deleting a saved reply", () => {
  it("asks first, naming the reply, with a red Delete button", () => {
    const markup = providedMarkup(<DeleteSavedReplyDialog reply={reply} onClose={() => {}} onDeleted={() => {}} />);
    expect(markup).toContain("Delete the saved reply “Deposit delays”?");
    expect(markup).toContain("No one can put it into an answer any more. This cannot be undone.");
    expect(markup).toContain('class="button button--sell">Delete</button>');
  });

  it("shows no dialog until a Delete button is pressed", () => {
    const markup = providedMarkup(<SavedReplies />, [[["staff", "support", "saved-replies"], { savedReplies: [reply] }]]);
    expect(markup).toContain('aria-label="Delete saved reply Deposit delays"');
    expect(markup).not.toContain("Delete the saved reply");
  });
});
