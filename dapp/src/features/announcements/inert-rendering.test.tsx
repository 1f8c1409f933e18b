import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { I18nProvider } from "../../i18n";
import { AnnouncementBanner } from "./announcements";
import type { Announcement } from "./announcements-api";

const SCRIPT = '<img src=x onerror="alert(1)"><script>alert(2)</script>';

function banner(item: Announcement): string {
  return renderToStaticMarkup(
    <I18nProvider>
      <AnnouncementBanner item={item} onDismiss={() => undefined} />
    </I18nProvider>,
  );
}

const item: Announcement = {
  id: 1,
  title: SCRIPT,
  // what the server sends: its Markdown rendering, sanitized (backend/markup.py)
  bodyHtml: "<p>&lt;script&gt;alert(3)&lt;/script&gt; <strong>now</strong></p>\n",
  severity: "info",
  placement: "banner",
  startsAt: 0,
  endsAt: 1,
  updatedAt: 0,
  language: "en",
};

describe("an announcement banner", () => {
  it("shows the title as text, however much markup it holds, and only the server's sanitized body as HTML", () => {
    const markup = banner(item);
    expect(markup).not.toContain("<script");
    expect(markup).not.toContain("<img src=x");
    expect(markup).toContain("&lt;script&gt;alert(2)&lt;/script&gt;");
    expect(markup).toContain("<strong>now</strong>");
    expect(markup).toContain('role="status"');
    expect(markup).toContain('aria-label="Dismiss announcement"');
  });

  it("is an alert when critical", () => {
    expect(banner({ ...item, severity: "critical" })).toContain('role="alert"');
  });

  it("marks the title and body with the language they came in: the reader's where translated, else English", () => {
    const chinese = banner({ ...item, title: "维护", bodyHtml: "<p>周日</p>", language: "zh-CN" });
    expect(chinese).toContain('<strong class="announcement__title" lang="zh-CN">维护</strong>');
    expect(chinese).toContain('<div class="announcement__body" lang="zh-CN"><p>周日</p></div>');
    expect(banner(item)).toContain('class="announcement__body" lang="en"');
  });
});
