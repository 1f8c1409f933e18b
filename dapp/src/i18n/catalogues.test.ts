import { describe, expect, it, vi } from "vitest";
import { DEFAULT_LOCALE, interpolate, localeOfPath, matchLocale, placeholders, translate, type Catalogue } from "./catalogues";

// The main catalogues as their files hold them: the module's `catalogues` grow as on-demand pages load (other test
// files of the same worker load some), so the checks read the files.
const catalogues: Record<string, Catalogue> = Object.fromEntries(
  Object.entries(import.meta.glob<Catalogue>("./locales/*.json", { eager: true, import: "default" })).map(([path, catalogue]) => [localeOfPath(path), catalogue]),
);
const english = catalogues[DEFAULT_LOCALE] ?? {};

describe("message catalogues", () => {
  it("include English and Simplified Chinese", () => {
    expect(Object.keys(catalogues)).toEqual(expect.arrayContaining(["en", "zh-CN"]));
  });

  for (const [locale, catalogue] of Object.entries(catalogues)) {
    it(`${locale} has exactly the English keys`, () => {
      const missing = Object.keys(english).filter((key) => !(key in catalogue));
      const extra = Object.keys(catalogue).filter((key) => !(key in english));
      expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    });

    it(`${locale} uses the same placeholders as English and no empty message`, () => {
      const mismatched = Object.keys(english).filter(
        (key) => key in catalogue && placeholders(catalogue[key] ?? "").join() !== placeholders(english[key] ?? "").join(),
      );
      const empty = Object.keys(catalogue).filter((key) => !catalogue[key]?.trim());
      expect({ mismatched, empty }).toEqual({ mismatched: [], empty: [] });
    });
  }
});

// The on-demand pages' catalogues, by folder: locales/<page>/*.json.
const onDemand = import.meta.glob<Catalogue>("./locales/*/*.json", { eager: true, import: "default" });
const groups = new Map<string, Map<string, Catalogue>>();
for (const [path, catalogue] of Object.entries(onDemand)) {
  const group = path.split("/")[2] ?? "";
  groups.set(group, (groups.get(group) ?? new Map()).set(localeOfPath(path), catalogue));
}

describe("on-demand catalogues", () => {
  it("exist for the account page, the back office and the pages of statistics, support, help, forum and announcements", () => {
    expect([...groups.keys()].sort()).toEqual(["account", "announcements", "backoffice", "forum", "help", "stats", "support"]);
  });

  for (const [group, files] of groups) {
    const groupEnglish = files.get(DEFAULT_LOCALE) ?? {};

    it(`${group} speaks every language of the app, with exactly its English keys and placeholders`, () => {
      expect([...files.keys()].sort()).toEqual(Object.keys(catalogues).sort());
      for (const [locale, catalogue] of files) {
        const missing = Object.keys(groupEnglish).filter((key) => !(key in catalogue));
        const extra = Object.keys(catalogue).filter((key) => !(key in groupEnglish));
        const mismatched = Object.keys(groupEnglish).filter(
          (key) => placeholders(catalogue[key] ?? "").join() !== placeholders(groupEnglish[key] ?? "").join(),
        );
        const empty = Object.keys(catalogue).filter((key) => !catalogue[key]?.trim());
        expect({ locale, missing, extra, mismatched, empty }).toEqual({ locale, missing: [], extra: [], mismatched: [], empty: [] });
      }
    });

    it(`${group} repeats no key of the main catalogue or of another page`, () => {
      const elsewhere = new Set(Object.keys(english));
      for (const [other, otherFiles] of groups) if (other !== group) Object.keys(otherFiles.get(DEFAULT_LOCALE) ?? {}).forEach((key) => elsewhere.add(key));
      expect(Object.keys(groupEnglish).filter((key) => elsewhere.has(key))).toEqual([]);
    });
  }

  it("join the app's languages once their chunk adds them", async () => {
    vi.resetModules(); // a module of its own, which no page has added to yet
    const { addCatalogues, translate } = await import("./catalogues");
    expect(translate("zh-CN", "backoffice.title")).toBe("backoffice.title");
    addCatalogues(Object.fromEntries(Object.entries(onDemand).filter(([path]) => path.includes("/backoffice/"))));
    expect(translate("zh-CN", "backoffice.title")).toBe("后台");
    expect(translate("en", "backoffice.title")).toBe("Back office");
  });
});

// A button whose accessible name is longer than its text (the order or ticket it acts on) speaks its text too, so
// a voice user can say what they see (WCAG 2.5.3, label in name): every "<key>Named" contains "<key>", and
// these buttons' pairs too.
const SHOWN_AND_SPOKEN: [shown: string, spoken: string][] = [
  ["account.cancel", "account.cancelOne"],
  ["account.onChainShort", "account.cancelOnChain"],
  ["account.allOnChainShort", "account.cancelAllOnChain"],
];

describe("accessible names", () => {
  for (const locale of Object.keys(catalogues)) {
    it(`${locale}: each button's spoken name contains its shown text`, () => {
      const all: Catalogue = { ...catalogues[locale] };
      for (const files of groups.values()) Object.assign(all, files.get(locale));
      const named = Object.keys(all).filter((key) => key.endsWith("Named") && key.slice(0, -5) in all);
      expect(named.length).toBeGreaterThan(3);
      const pairs = [...SHOWN_AND_SPOKEN, ...named.map((key): [string, string] => [key.slice(0, -5), key])];
      const lacking = pairs.filter(([shown, spoken]) => !(all[spoken] ?? "").toLowerCase().includes((all[shown] ?? "?").toLowerCase()));
      expect(lacking.map(([shown, spoken]) => `${spoken}: "${all[spoken]}" lacks "${all[shown]}"`)).toEqual([]);
    });
  }
});

describe("translate", () => {
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(interpolate("Buy {amount} at {price}", { amount: "1.5" })).toBe("Buy 1.5 at {price}");
  });

  it("speaks the chosen language and shows the key itself when no catalogue has it", () => {
    expect(translate("zh-CN", "auth.signIn")).toBe("登录");
    expect(translate("en", "auth.signIn")).toBe("Sign in");
    expect(translate("en", "no.such.key")).toBe("no.such.key");
  });
});

describe("matchLocale", () => {
  it("prefers an exact match, then the same language, else English", () => {
    expect(matchLocale(["zh-CN"], ["en", "zh-CN"])).toBe("zh-CN");
    expect(matchLocale(["zh-Hans-CN", "en-US"], ["en", "zh-CN"])).toBe("zh-CN");
    expect(matchLocale(["fr-FR"], ["en", "zh-CN"])).toBe("en");
    expect(matchLocale(["en-GB"], ["en", "zh-CN"])).toBe("en");
  });
});
