import "./messages";
import { describe, expect, it } from "vitest";
import { ConfirmDialog } from "./confirm-dialog";
import { ReasonDialog } from "./reason-dialog";
import { providedMarkup } from "../../testing/markup";

const dialog = { open: true, title: "Withdraw “Fees change”?", confirm: "Withdraw announcement", pending: false, onClose() {} };

describe("the confirmation dialogs", () => {
  it("say what confirming does and the refusal in words, with the confirm button red only for an action that takes something away", () => {
    const markup = providedMarkup(
      <ConfirmDialog {...dialog} danger error={new Error("announcement already withdrawn")} onConfirm={() => {}}>
        <p>It leaves the app at once.</p>
      </ConfirmDialog>,
    );
    expect(markup).toContain("<p>It leaves the app at once.</p>");
    expect(markup).toContain('<p class="form-error" role="alert">announcement already withdrawn</p>');
    expect(markup).toContain('class="button button--sell"');
    expect(markup).not.toContain("<textarea");
    const plain = providedMarkup(
      <ConfirmDialog {...dialog} error={null} onConfirm={() => {}}>
        <p>It can be undone.</p>
      </ConfirmDialog>,
    );
    expect(plain).toContain('class="button button--primary"');
  });

  it("ask for the audit log's reason in the reason dialog, on the same dialog", () => {
    const markup = providedMarkup(
      <ReasonDialog {...dialog} error={null} onConfirm={() => {}}>
        <p>The wallet may trade again.</p>
      </ReasonDialog>,
    );
    expect(markup).toContain("<p>The wallet may trade again.</p>");
    expect(markup).toMatch(/<label[^>]*>Reason<\/label><div class="field__control"><textarea[^>]*maxLength="500"/);
    expect(markup).toContain(">Withdraw announcement</button>");
    expect(markup).not.toContain('class="form-error"');
  });
});
