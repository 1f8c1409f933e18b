import "./messages";
import { describe, expect, it } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { ATTACHMENT_ACCEPT } from "./support-logic";
import { CloseTicketDialog, ReplyForm } from "./support-page";

describe("the reply form", () => {
  it("offers a file named “Attach a file”, with the types and the size limit of the opening form in its hint", () => {
    const markup = providedMarkup(<ReplyForm address="0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc" id={7} />);
    const label = /<label for="([^"]+)" class="field__label">Attach a file<\/label>/.exec(markup);
    expect(label).not.toBeNull();
    const id = label?.[1] ?? "";
    const input = new RegExp(`<input id="${id}" aria-describedby="${id}-hint" type="file" accept="([^"]+)"/>`).exec(markup);
    expect(input?.[1]).toBe(ATTACHMENT_ACCEPT);
    expect(markup).toContain(`<p id="${id}-hint" class="field__hint">Optional: a PNG, JPEG or PDF file of at most 5 MB.</p>`);
    expect(markup).toMatch(/<label[^>]*>Your reply<\/label>/);
    expect(markup).toContain(">Send reply</button>");
  });
});

describe("closing a ticket", () => {
  const dialog = (replyTyped: boolean) =>
    providedMarkup(<CloseTicketDialog id={7} open replyTyped={replyTyped} closing={false} onConfirm={() => undefined} onCancel={() => undefined} />);

  it("is asked first: the button opens a dialog instead of closing at once", () => {
    const markup = providedMarkup(<ReplyForm address="0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc" id={7} />);
    expect(markup).toMatch(/<button type="button" class="button button--ghost" aria-haspopup="dialog">Close ticket<\/button>/);
  });

  it("says the ticket cannot be reopened, and closes only on the dialog's own button", () => {
    const markup = dialog(false);
    expect(markup).toContain("Close ticket #7?");
    expect(markup).toContain("A closed ticket cannot be reopened and takes no more replies");
    expect(markup).toMatch(/<button type="button" class="button">Cancel<\/button>/);
    expect(markup).toMatch(/<button type="button" class="button button--sell">Close ticket<\/button>/);
    expect(markup).not.toContain("The reply you typed is not sent");
  });

  it("warns that a reply typed and not sent is dropped", () => {
    expect(dialog(true)).toContain("The reply you typed is not sent. Send it first if support should read it.");
  });
});
