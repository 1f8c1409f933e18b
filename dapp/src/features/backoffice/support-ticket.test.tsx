import "./messages";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ToastProvider } from "../../components/ui";
import { I18nProvider } from "../../i18n";
import { ApiError } from "../../lib/api-client";
import type { StaffTicketDetail } from "./support-desk";
import { asksFirst } from "./support-desk";
import { CloseTicketDialog, SupportTicketView } from "./support-ticket";
import { providedMarkup } from "../../testing/markup";

const WALLET = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const times = { createdAt: 0, updatedAt: 0, firstResponseAt: 0, resolvedAt: null, firstResponseMs: 60_000, resolutionMs: null };
const detail: StaffTicketDetail = {
  ticket: { id: 7, category: "deposit", subject: "Missing deposit", status: "open", address: WALLET, assignee: null, ...times },
  messages: [
    { id: 1, kind: "user", author: `wallet:${WALLET}`, body: "Where?", html: "<p>Where?</p>\n", createdAt: 0, attachments: [] },
    {
      id: 2,
      kind: "reply",
      author: "staff:desk@hdex.example",
      body: "See the guide",
      html: "<p>See the guide</p>\n",
      createdAt: 0,
      attachments: [{ id: 3, contentType: "application/pdf", size: 2048 }],
    },
  ],
};

describe("a ticket for staff", () => {
  const markup = providedMarkup(<SupportTicketView id={7} />, [[["staff", "support", "ticket", 7], detail]]);

  it("offers a file named “Attach a file” in the answer form, with the wallet's types and size limit in its hint", () => {
    const label = /<label for="([^"]+)" class="field__label">Attach a file<\/label>/.exec(markup);
    expect(label).not.toBeNull();
    const id = label?.[1] ?? "";
    expect(markup).toMatch(new RegExp(`<input id="${id}" aria-describedby="${id}-hint" type="file" accept="[^"]*application/pdf[^"]*"/>`));
    expect(markup).toContain(`<p id="${id}-hint" class="field__hint">Optional: a PNG, JPEG or PDF file of at most 5 MB.</p>`);
  });

  it("shows a staff reply's attachment as the wallet's are shown, opened on demand", () => {
    expect(markup).toContain(">Open attachment (application/pdf, 2 KB)</button>");
  });
});

describe("a ticket whose poll failed", () => {
  it("keeps the conversation and the answer box on screen rather than the poll's error", () => {
    const client = new QueryClient();
    client.setQueryData(["staff", "support", "ticket", 7], detail);
    client.getQueryCache().find({ queryKey: ["staff", "support", "ticket", 7] })?.setState({ error: new ApiError(503, "UNAVAILABLE", "down"), status: "error" });
    const markup = renderToStaticMarkup(
      <QueryClientProvider client={client}>
        <I18nProvider>
          <ToastProvider>
            <SupportTicketView id={7} />
          </ToastProvider>
        </I18nProvider>
      </QueryClientProvider>,
    );
    expect(markup).toContain("See the guide");
    expect(markup).toContain("Attach a file");
  });
});

describe("closing a ticket", () => {
  it("asks first (closing ends the conversation for the user); the other moves do not", () => {
    expect(asksFirst("closed")).toBe(true);
    expect((["open", "waiting_for_user", "resolved"] as const).map(asksFirst)).toEqual([false, false, false]);
  });

  it("asks in a dialog naming the ticket, with a red Close button", () => {
    const markup = providedMarkup(<CloseTicketDialog open ticket={detail.ticket} pending={false} error={null} onConfirm={() => {}} onClose={() => {}} />);
    expect(markup).toContain("Close ticket #7: Missing deposit?");
    expect(markup).toContain("The user can no longer answer in it; only staff can reopen it.");
    expect(markup).toContain('class="button button--sell">Close</button>');
  });
});
