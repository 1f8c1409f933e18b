import { describe, expect, it } from "vitest";
import { catalogues, DEFAULT_LOCALE, interpolate, matchLocale, placeholders, translate } from "./catalogues";

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
