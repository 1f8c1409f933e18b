import "./messages";
import { describe, expect, it } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { MessageItem } from "./support-page";

describe("a ticket's message", () => {
  it("inserts only the server's sanitized HTML, never the body as typed", () => {
    const message = {
      id: 1,
      sender: "support" as const,
      body: '<script>alert(1)</script> **bold**',
      html: "<p>&lt;script&gt;alert(1)&lt;/script&gt; <strong>bold</strong></p>\n",
      createdAt: 0,
      attachments: [{ id: 3, contentType: "image/png", size: 2048 }],
    };
    const markup = providedMarkup(<MessageItem message={message} ticketId={7} time="now" />);
    expect(markup).toContain("<strong>bold</strong>");
    expect(markup).not.toContain("<script");
    expect(markup).toContain("HDEX support, now");
    expect(markup).toContain("Open attachment (image/png, 2 KB)");
  });
});
