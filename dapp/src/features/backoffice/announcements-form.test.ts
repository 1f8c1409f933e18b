import { describe, expect, it } from "vitest";
import { formOf, formProblems, fromLocalInput, mayGoStale, newForm, toLocalInput, toRequest, type StaffAnnouncement } from "./announcements-form";

describe("the announcement form", () => {
  it("turns local date-times into epoch milliseconds and back, to the minute", () => {
    const ms = new Date(2026, 11, 2, 9, 30).getTime();
    expect(toLocalInput(ms)).toBe("2026-12-02T09:30");
    expect(fromLocalInput("2026-12-02T09:30")).toBe(ms);
    expect(fromLocalInput("2026-12-02T09:30:15")).toBe(ms + 15_000);
    expect(fromLocalInput("2026-02-31T09:30")).toBeNull();
    expect(fromLocalInput("tomorrow")).toBeNull();
    expect(fromLocalInput("")).toBeNull();
  });

  it("says in words what is missing or wrong, and that the end must be after the start", () => {
    const form = newForm(new Date(2026, 11, 2, 9, 30).getTime());
    expect(formProblems(form)).toEqual({ title: "announcements.form.titleRequired", body: "announcements.form.bodyRequired" });
    const filled = { ...form, title: "Upgrade", body: "We **upgrade**." };
    expect(formProblems(filled)).toEqual({});
    expect(formProblems({ ...filled, end: filled.start })).toEqual({ end: "announcements.form.endBeforeStart" });
    expect(formProblems({ ...filled, start: "x" })).toEqual({ start: "announcements.form.timeInvalid" });
    expect(formProblems({ ...filled, title: "t".repeat(201) })).toEqual({ title: "announcements.form.titleTooLong" });
    expect(formProblems({ ...filled, body: "b".repeat(10_001) })).toEqual({ body: "announcements.form.bodyTooLong" });
  });

  it("sends the trimmed title and the window in milliseconds, and edits what the server holds", () => {
    const start = new Date(2026, 11, 2, 9, 30).getTime();
    const form = { ...newForm(start), title: "  Upgrade ", body: "b", placement: "dialog" as const };
    expect(toRequest(form)).toEqual({
      title: "Upgrade", body: "b", severity: "info", placement: "dialog", startsAt: start, endsAt: start + 86_400_000, translations: {},
    });
    const held: StaffAnnouncement = {
      id: 1, title: "T", body: "B", bodyHtml: "<p>B</p>", severity: "critical", placement: "banner", startsAt: start, endsAt: start + 60_000,
      updatedAt: start, status: "live", withdrawnAt: null, withdrawnBy: null, createdBy: "staff:a", createdAt: start, updatedBy: "staff:a",
      translations: {},
    };
    expect(formOf(held)).toEqual({
      title: "T", body: "B", severity: "critical", placement: "banner", start: "2026-12-02T09:30", end: "2026-12-02T09:31",
      translations: { "zh-CN": { title: "", body: "", stillFits: false } },
    });
  });
});

describe("an announcement's translations", () => {
  const start = new Date(2026, 11, 2, 9, 30).getTime();
  const filled = { ...newForm(start), title: "Upgrade", body: "We **upgrade**." };
  const chinese = (title: string, body: string, stillFits = false) => ({ ...filled, translations: { "zh-CN": { title, body, stillFits } } });

  it("are offered empty in each of the dApp's languages but English, and an empty one is no translation", () => {
    expect(filled.translations).toEqual({ "zh-CN": { title: "", body: "", stillFits: false } });
    expect(formProblems(chinese(" ", "\n"))).toEqual({});
    expect(toRequest(chinese(" ", "\n")).translations).toEqual({});
  });

  it("once begun, need a title and a body within the English limits, each problem under its own field", () => {
    expect(formProblems(chinese("升级", ""))).toEqual({ "body:zh-CN": "announcements.form.bodyRequired" });
    expect(formProblems(chinese("", "我们**升级**。"))).toEqual({ "title:zh-CN": "announcements.form.titleRequired" });
    expect(formProblems(chinese("t".repeat(201), "b".repeat(10_001)))).toEqual({
      "title:zh-CN": "announcements.form.titleTooLong",
      "body:zh-CN": "announcements.form.bodyTooLong",
    });
  });

  it("are sent trimmed by language, and edited from what the server holds", () => {
    expect(toRequest(chinese(" 升级 ", "我们**升级**。")).translations).toEqual({ "zh-CN": { title: "升级", body: "我们**升级**。" } });
    const held: StaffAnnouncement = {
      id: 1, title: "T", body: "B", bodyHtml: "<p>B</p>", severity: "info", placement: "banner", startsAt: start, endsAt: start + 60_000,
      updatedAt: start, status: "live", withdrawnAt: null, withdrawnBy: null, createdBy: "staff:a", createdAt: start, updatedBy: "staff:a",
      translations: { "zh-CN": { title: "升级", body: "正文", bodyHtml: "<p>正文</p>", outdated: false } },
    };
    expect(formOf(held).translations).toEqual({ "zh-CN": { title: "升级", body: "正文", stillFits: false } });
  });

  it("may be said to still fit only when saving would leave one outdated, and then say so", () => {
    const held: StaffAnnouncement = {
      id: 1, title: "Upgrade", body: "At 14:00.", bodyHtml: "", severity: "info", placement: "banner", startsAt: start, endsAt: start + 60_000,
      updatedAt: start, status: "live", withdrawnAt: null, withdrawnBy: null, createdBy: "staff:a", createdAt: start, updatedBy: "staff:a",
      translations: { "zh-CN": { title: "升级", body: "14:00。", bodyHtml: "", outdated: false } },
    };
    const form = formOf(held);
    expect(mayGoStale(held, form, "zh-CN")).toBe(false); // nothing changed
    expect(mayGoStale(null, form, "zh-CN")).toBe(false); // a new announcement: nothing held goes stale
    const moved = { ...form, body: "At 16:00." };
    expect(mayGoStale(held, moved, "zh-CN")).toBe(true); // the English changed, the translation not
    const rewritten = { ...moved, translations: { "zh-CN": { title: "升级", body: "16:00。", stillFits: false } } };
    expect(mayGoStale(held, rewritten, "zh-CN")).toBe(false); // rewritten with it
    const stale = { ...held, translations: { "zh-CN": { ...held.translations["zh-CN"]!, outdated: true } } };
    expect(mayGoStale(stale, formOf(stale), "zh-CN")).toBe(true); // outdated already
    expect(toRequest({ ...moved, translations: { "zh-CN": { title: "升级", body: "14:00。", stillFits: true } } }).translations).toEqual({
      "zh-CN": { title: "升级", body: "14:00。", stillFits: true },
    });
  });
});
