import "./messages";
import { describe, expect, it } from "vitest";
import { AnnouncementsSection } from "./announcements-section";
import type { StaffAnnouncement } from "./announcements-form";
import { ArticleButtons, HelpSection } from "./help-section";
import type { StaffArticle } from "./help-articles";
import type { StaffMember } from "./staff-types";
import { providedMarkup } from "../../testing/markup";

const member = { id: 1, email: "desk@hdex.example", role: "support" } as StaffMember;
const announcement = (id: number, title: string, status: StaffAnnouncement["status"], translations: StaffAnnouncement["translations"] = {}) =>
  ({ id, title, status, severity: "info", placement: "banner", startsAt: 0, endsAt: 1, translations }) as StaffAnnouncement;
const translation = { language: "zh-CN", title: "燃气费", body: "b", bodyHtml: "", updatedBy: "s", updatedAt: 0, outdated: false };
const article = { id: 7, slug: "gas-fees", title: "Gas fees", published: true, updatedAt: 0, translations: [translation] } as StaffArticle;

describe("the sections of what staff publish", () => {
  it("put the editor of a new announcement above the table, and Edit and Withdraw, named by title, on each not withdrawn", () => {
    const chinese = { "zh-CN": { title: "费用调整", body: "b", bodyHtml: "", outdated: false } };
    const stale = { "zh-CN": { title: "旧闻", body: "b", bodyHtml: "", outdated: true } };
    const page = {
      announcements: [announcement(1, "Fees change", "live", chinese), announcement(2, "Old news", "withdrawn"), announcement(3, "Moved", "scheduled", stale)],
      next: "2",
    };
    const markup = providedMarkup(<AnnouncementsSection member={member} />, [[["staff", "announcements"], { pages: [page], pageParams: [null] }]]);
    expect(markup.indexOf(">New announcement</h3>")).toBeGreaterThan(-1);
    expect(markup.indexOf(">New announcement</h3>")).toBeLessThan(markup.indexOf("<table"));
    expect(markup).toContain('aria-label="Edit “Fees change”"');
    expect(markup).toContain('aria-label="Withdraw “Fees change”"');
    expect(markup).toContain(">Publish</button>");
    expect(markup).not.toContain("“Old news”");
    expect(markup).toContain(">Load more</button>"); // past the first page
    expect(markup).toContain("<td>Chinese (China)</td>"); // the languages each is translated into, named in the page's
    expect(markup).toContain("<td>Chinese (China) (outdated)</td>"); // written from an English since changed
    expect(markup).toContain("<td>None</td>");
    // the new announcement's text in Chinese: optional, its fields marked as Chinese
    expect(markup).toContain("<legend>Chinese (China) translation</legend>");
    expect(markup).toMatch(/<label[^>]*>Title in Chinese \(China\)<\/label>/);
    expect(markup).toMatch(/<textarea [^>]*lang="zh-CN"/);
  });

  it("give a help article Edit, Unpublish and Delete, and the editor its Preview", () => {
    const untranslated = { ...article, id: 8, slug: "new", title: "New", translations: [] };
    const markup = providedMarkup(<HelpSection member={member} />, [[["staff", "help", ""], { articles: [article, untranslated] }]]);
    expect(markup).toContain("<td>Chinese (China)</td>"); // the languages it is translated into, named in the page's
    expect(markup).toContain("<td>None</td>");
    expect(markup).toContain(">New article</h3>");
    const outdated = { ...article, translations: [{ ...translation, outdated: true }] };
    const marked = providedMarkup(<HelpSection member={member} />, [[["staff", "help", ""], { articles: [outdated] }]]);
    expect(marked).toContain("<td>Chinese (China) (outdated)</td>"); // the English changed after it was saved
    for (const name of ["Edit “Gas fees”", "Unpublish “Gas fees”", "Delete “Gas fees”"]) expect(markup).toContain(`aria-label="${name}"`);
    expect(markup).toContain(">Preview</button>");
    expect(markup).not.toContain(">Cancel</button>"); // a new article has nothing to cancel
  });
});

describe("a help article's row buttons", () => {
  const buttons = (editing: boolean, changing: StaffArticle | undefined = undefined) =>
    providedMarkup(
      <ArticleButtons
        article={article}
        actions={{ edit: () => undefined, takeDown: () => undefined, isEditing: () => editing }}
        toggle={{ isPending: changing !== undefined, variables: changing, mutate: () => undefined }}
      />,
    );
  const button = (markup: string, name: string) => new RegExp(`<button [^>]*aria-label="${name}"[^>]*>`).exec(markup)?.[0] ?? "";

  it("leave publishing an article open in the editor to the editor's Published box, which its save sends", () => {
    const unpublish = button(buttons(true), "Unpublish “Gas fees”");
    expect(unpublish).toContain('disabled=""');
    expect(unpublish).toContain('title="Open in the editor: publish or unpublish it there, with the “Published” box, and save."');
    expect(button(buttons(false), "Unpublish “Gas fees”")).not.toContain("disabled");
  });

  it("open the editor on an article only once a publish or unpublish on its way has reached the list", () => {
    expect(button(buttons(false, article), "Edit “Gas fees”")).toContain('disabled=""');
    expect(button(buttons(false, { ...article, id: 8 }), "Edit “Gas fees”")).not.toContain("disabled");
  });
});
