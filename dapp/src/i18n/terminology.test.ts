/**
 * What the parity test (catalogues.test.ts) cannot see: the words themselves. The Simplified Chinese
 * catalogues speak one register and one term per concept across every page, leave no English behind, and a
 * message that names another control or tab names it as that control shows it, in every language. Keys the
 * code builds at run time (t(`account.tif.${tif}`)) have messages under their prefix.
 */
import { describe, expect, it } from "vitest";
import { catalogues, localeOfPath, type Catalogue } from "./catalogues";

const mainFiles = import.meta.glob<Catalogue>("./locales/*.json", { eager: true, import: "default" });
const pageFiles = import.meta.glob<Catalogue>("./locales/*/*.json", { eager: true, import: "default" });

/** Every message of `locale`, the main catalogue's and every on-demand page's. */
function everything(locale: string): Catalogue {
  const all: Catalogue = {};
  for (const [path, catalogue] of Object.entries({ ...mainFiles, ...pageFiles })) {
    if (localeOfPath(path) === locale) Object.assign(all, catalogue);
  }
  return all;
}

const zh = everything("zh-CN");

interface Rule {
  /** What must not appear in a zh-CN message (placeholders are removed first). */
  avoid: RegExp;
  /** Keys where it is right (the concept it names there is another one). */
  except?: (key: string) => boolean;
  use: string;
}

// One term per concept: what the trading page calls a withdrawal, the back office calls one too.
const GLOSSARY: Rule[] = [
  { avoid: /你/, use: "您: the app addresses its user politely everywhere" },
  { avoid: /提款/, use: "提现 (withdraw, withdrawal)" },
  { avoid: /存款/, use: "充值 (deposit)" },
  { avoid: /等级/, use: "级别 (a verification level, as the account page names it)" },
  { avoid: /员工/, use: "工作人员 (staff)" },
  { avoid: /\bgas\b/, use: "Gas (as the order and withdrawal reviews write it)" },
  { avoid: /(?<!身份)验证器/, use: "身份验证器应用 (the authenticator app, as the sign-in names it)" },
  { avoid: /\S\s*Nonce|（Nonce）/, use: "nonce in a sentence (Nonce only as a label of its own)" },
  // 冻结 is what compliance does to a blocked wallet's deposit; an open order's hold is 占用 (委托占用).
  { avoid: /冻结/, except: (key) => key.includes("frozen"), use: "占用 for what open orders hold" },
  // 封禁 is a blocked (sanctioned or deny-listed) address; a forum ban is 禁言.
  { avoid: /封禁/, except: (key) => !key.includes("forum"), use: "禁言 for a forum ban" },
];

describe("zh-CN terminology", () => {
  for (const rule of GLOSSARY) {
    it(`uses ${rule.use}`, () => {
      const wrong = Object.entries(zh)
        .filter(([key, message]) => !rule.except?.(key) && rule.avoid.test(message.replace(/\{\w+\}/g, "")))
        .map(([key, message]) => `${key}: ${message}`);
      expect(wrong).toEqual([]);
    });
  }
});

// Latin words a Chinese reader sees as they are: the product, tickers, formats, units, standards and the
// short codes of time in force; anything else in Latin letters is English left untranslated.
const LATIN_KEPT = new Set(
  "HDEX MetaMask ETH USDC Gas nonce Nonce KYC GTC IOC FOK PDF PNG JPEG JSON CSV HTML Markdown MB KB UTC RFC RPC ID K".split(" "),
);

describe("zh-CN leaves no English", () => {
  it("has no Latin words but names, tickers, formats and units", () => {
    const english = Object.entries(zh).flatMap(([key, message]) => {
      const prose = message
        .replace(/\{\w+\}/g, "")
        .replace(/“[\x20-\x7e]*”/g, "") // verbatim text, quoted: what the server writes, what staff type
        .replace(/https?:\/\/\S*|[\w.+-]+@[\w.-]+|\b0x\b|\/[\w/<>…-]*/g, "") // URLs, e-mails, 0x, paths (/help/<slug>)
        .replace(/\b[\w-]+[:.][\w.:…-]*|\b[a-z]+[A-Z]\w*/g, ""); // identifiers: kyc.review, case:12, cancelOrders
      return (prose.match(/[A-Za-z]+/g) ?? []).filter((word) => !LATIN_KEPT.has(word)).map((word) => `${key}: ${word}`);
    });
    expect(english).toEqual([]);
  });
});

// A message that sends the reader to another control, tab or page names it with that control's own text.
const REFERS_TO: [key: string, shown: string[]][] = [
  ["order.apiError.DUPLICATE_ORDER", ["account.tab.open", "account.tab.history"]],
  ["order.apiError.TIF_NOT_ALLOWED", ["order.timeInForce"]],
  ["order.apiError.FLAGS_CONFLICT", ["order.timeInForce", "order.postOnly"]],
  ["order.apiError.FILL_OR_KILL_MISMATCH", ["order.timeInForce", "order.tif.FOK"]],
  ["order.apiError.POST_ONLY_WOULD_CROSS", ["order.postOnly"]],
  ["order.apiError.EXPIRY_TOO_LONG", ["order.tif.IOC", "order.tif.FOK"]],
  ["order.error.aboveTierLimit", ["nav.account"]],
  ["order.apiError.ORDER_NOTIONAL_LIMIT_EXCEEDED", ["nav.account"]],
  ["account.cancelledOnChainOne", ["account.tab.open"]],
  ["account.cancelledAllOnChain", ["account.tab.open"]],
  ["faucet.guideSwitch", ["wallet.switchNetwork"]],
  ["accountPage.signInFirst", ["auth.signIn"]],
  ["support.intro", ["help.title"]],
  ["backoffice.staff.invitedNotMailed", ["backoffice.signIn.forgot"]],
  ["backoffice.frozen.releaseText", ["backoffice.denylist.title"]],
];

/** Case and hyphens aside ("post-only" names the "Post only" box). */
const normal = (text: string) => text.toLowerCase().replace(/-/g, " ");

describe("messages that name a control", () => {
  for (const locale of Object.keys(catalogues)) {
    it(`${locale}: name it as it is shown`, () => {
      const all = everything(locale);
      const lacking = REFERS_TO.flatMap(([key, shown]) =>
        shown.filter((label) => !normal(all[key] ?? "").includes(normal(all[label] ?? "?"))).map((label) => `${key} lacks "${all[label]}" (${label})`),
      );
      expect(lacking).toEqual([]);
    });
  }
});

// t(`prefix.${value}`) in the code: the parity test knows nothing of the prefix, and a cast to MessageKey hides
// it from the compiler too.
const sources = import.meta.glob<string>(["../**/*.ts", "../**/*.tsx", "!../**/*.test.ts", "!../**/*.test.tsx"], {
  eager: true,
  query: "?raw",
  import: "default",
});

describe("keys the code builds", () => {
  const prefixes = new Set<string>();
  for (const source of Object.values(sources)) {
    for (const match of source.matchAll(/\bt\(\s*`([\w.-]+\.)\$\{/g)) prefixes.add(match[1] as string);
    for (const match of source.matchAll(/return\s+`([\w.-]+\.)\$\{/g)) prefixes.add(match[1] as string);
  }

  it("are found", () => {
    expect(prefixes.size).toBeGreaterThan(10);
  });

  for (const locale of Object.keys(catalogues)) {
    it(`${locale}: have messages under every prefix`, () => {
      const keys = Object.keys(everything(locale));
      expect([...prefixes].filter((prefix) => !keys.some((key) => key.startsWith(prefix)))).toEqual([]);
    });
  }
});
