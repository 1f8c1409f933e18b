import "./messages";
import { describe, expect, it } from "vitest";
import { translate } from "../../i18n";
import { providedMarkup } from "../../testing/markup";
import { excerpt, THREAD_ACTION_DONE, type ForumReport, type ModeratedThread } from "./forum-moderation";
import { BanAuthorDialog, ForumSection, UnbanDialog } from "./forum-section";
import { staffMember } from "./test-fixtures";

const AUTHOR = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const REPORTER = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const report: ForumReport = {
  id: 3,
  post: { id: 9, threadId: 4, author: AUTHOR, message: "Free  airdrop!\nClaim at scam.example now", messageHtml: "<p>Free airdrop!</p>", hidden: false, createdAt: 0 },
  threadId: 4,
  threadTitle: "Fees",
  reporter: REPORTER,
  reason: "spam",
  status: "open",
  openReportsOfPost: 1,
  createdAt: 0,
  resolvedBy: null,
  resolvedAt: null,
};
const hidden: ModeratedThread = { id: 4, category: "general", title: "Fees", author: AUTHOR, pinned: false, locked: false, hidden: true, replyCount: 0, createdAt: 0, lastPostAt: 0 };

const markup = providedMarkup(<ForumSection member={staffMember(["forum.moderate"])} />, [
  [["staff", "forum", "reports", "open"], { pages: [{ reports: [report], next: null }], pageParams: [null] }],
  [["staff", "forum", "threads"], { pages: [{ threads: [hidden], next: null }], pageParams: [null] }],
  [["staff", "forum", "bans"], { pages: [{ bans: [{ wallet: AUTHOR, reason: "spam", bannedBy: "mod@hdex.example", bannedAt: 0 }], next: null }], pageParams: [null] }],
  [["staff", "forum", "categories"], { categories: [
    { id: 1, slug: "general", name: "General", description: "Anything", threadCount: 2, language: "en", translations: { "zh-CN": { name: "综合", description: "", outdated: true } } },
    { id: 4, slug: "bots", name: "Bots", description: "", threadCount: 0, language: "en", translations: {} },
  ] }],
]);

describe("the reports queue", () => {
  it("shows the reported post's author, and offers to ban them", () => {
    expect(markup).toContain(">Author</th>");
    expect(markup).toContain(`<code>${AUTHOR}</code>`);
    expect(markup).toContain(`aria-label="Ban author of post 9 in “Fees”: ${AUTHOR}">Ban author</button>`);
  });

  it("names the post its buttons act on by thread and first words, not by ids alone", () => {
    expect(markup).toContain('aria-label="Hide post 9 in “Fees”: Free airdrop! Claim at scam.example now"');
    expect(markup).toContain('aria-label="Dismiss the report of post 9 in “Fees”: Free airdrop! Claim at scam.example now"');
  });

  it("bans the author through a dialog asking for the ban's reason", () => {
    const dialog = providedMarkup(<BanAuthorDialog report={report} onClose={() => {}} />);
    expect(dialog).toContain(`Ban ${AUTHOR} from posting?`);
    expect(dialog).toMatch(/<label[^>]*>Reason<\/label>/);
    expect(dialog).toContain('class="button button--sell">Ban wallet</button>');
  });
});

describe("the banned wallets", () => {
  it("offer to unban each wallet through a dialog asking for the reason, not at once", () => {
    expect(markup).toContain(`aria-label="Unban ${AUTHOR}">Unban</button>`);
    const dialog = providedMarkup(<UnbanDialog wallet={AUTHOR} onClose={() => {}} />);
    expect(dialog).toContain(`Unban ${AUTHOR}?`);
    expect(dialog).toContain("may post and reply again");
    expect(dialog).toMatch(/<label[^>]*>Reason<\/label>/);
    expect(dialog).toContain('class="button button--primary">Unban</button>');
  });
});

describe("the forum moderation section", () => {
  it("heads each of its tables and forms", () => {
    expect([...markup.matchAll(/<h3[^>]*>([^<]+)<\/h3>/g)].map((m) => m[1])).toEqual([
      "Reported posts", "Threads", "Banned wallets", "Ban a wallet from posting", "Categories", "Add a category",
    ]);
  });

  it("calls a hidden thread's state Hidden, not the Hide button's word", () => {
    expect(markup).toMatch(/<td>Hidden<\/td>/);
  });

  it("says what each thread action did", () => {
    expect(translate("en", THREAD_ACTION_DONE.pin, { title: "Fees" })).toBe("Thread “Fees” pinned.");
    expect(translate("en", THREAD_ACTION_DONE.unhide, { title: "Fees" })).toBe("Thread “Fees” shown again.");
  });
});

describe("excerpt", () => {
  it("keeps a post's first words on one line, cut with an ellipsis", () => {
    expect(excerpt("short\n\npost")).toBe("short post");
    expect(excerpt("a".repeat(50))).toBe(`${"a".repeat(39)}…`);
  });
});

describe("the categories", () => {
  it("list each category with its slug, threads and translations, and an Edit button naming it", () => {
    expect(markup).toContain("<code>general</code>");
    expect(markup).toMatch(/<td[^>]*>Chinese \(China\) \(outdated\)<\/td>/); // written for an English since changed
    expect(markup).toMatch(/<td[^>]*>None<\/td>/);
    expect(markup).toContain('aria-label="Edit category “Bots”">Edit</button>');
    expect(markup).toContain('aria-label="Delete category “Bots”">Delete</button>'); // asked in a dialog first
  });

  it("move up or down one place, the first not up and the last not down", () => {
    const button = (name: string) => {
      const found = markup.match(new RegExp(`<button[^>]*aria-label="${name}"[^>]*>`))?.[0];
      expect(found, name).toBeDefined();
      return found ?? "";
    };
    expect(button("Move category “General” up")).toContain("disabled");
    expect(button("Move category “General” down")).not.toContain("disabled");
    expect(button("Move category “Bots” up")).not.toContain("disabled");
    expect(button("Move category “Bots” down")).toContain("disabled");
  });

  it("are added through a form asking for a slug, a name and each language's optional text", () => {
    expect(markup).toMatch(/<label[^>]*>Slug<\/label>/);
    expect(markup).toContain("It cannot change later.");
    expect(markup).toMatch(/<legend>Chinese \(China\) translation<\/legend>/);
    expect(markup).toMatch(/<input[^>]*lang="zh-CN"/);
    expect(markup).toContain('class="button button--primary">Add category</button>');
  });
});
