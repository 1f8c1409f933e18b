import { describe, expect, it } from "vitest";
import { useI18n } from "../../i18n";
import { providedMarkup } from "../../testing/markup";
import { ScheduledChanges } from "./scheduled-changes";
import type { ScheduledChange, ScheduledChanges as Answer } from "./scheduled-changes-api";

const READY_AT = Date.UTC(2026, 11, 9, 10, 4);

function change(fields: Partial<ScheduledChange>): ScheduledChange {
  return {
    id: "0x" + "ab".repeat(32),
    target: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    value: "0",
    contract: "Exchange",
    function: "setFeeSchedule",
    arguments: [
      { name: "makerFeeRate", value: "1500", human: "1500 millionths (0.15 %)" },
      { name: "takerFeeRate", value: "2500", human: "2500 millionths (0.25 %)" },
    ],
    description: "Exchange.setFeeSchedule(makerFeeRate=1500, takerFeeRate=2500)",
    readyAt: READY_AT,
    expiresAt: READY_AT + 14 * 86_400_000,
    status: "waiting",
    ...fields,
  };
}

/** `epochMs` as the page shows a date and time, in the user's time zone. */
function dateTime(epochMs: number): string {
  function When() {
    return <output>{useI18n().formatDateTime(epochMs)}</output>;
  }
  return /<output>(.*?)<\/output>/.exec(providedMarkup(<When />))?.[1] ?? "";
}

const CUSTODY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

/** The banner for `changes` (and the answer's other `fields`), with the markets the page has read. */
function shown(changes: ScheduledChange[], fields: Partial<Answer> = {}, markets: unknown[] | null = null): string {
  const answer: Answer = { admin: CUSTODY, timelocked: true, custody: CUSTODY, chainTime: 0, changes, ...fields };
  return providedMarkup(<ScheduledChanges />, [[["scheduled-changes"], answer], ...(markets ? [[["markets"], markets] as const] : [])]);
}

describe("scheduled changes to the exchange", () => {
  it("say a fee change in percent, from when, and how to leave before it", () => {
    const markup = shown([change({})]);
    expect(markup).toContain('aria-label="Scheduled changes to the exchange"');
    expect(markup).toContain("Trading fees change to 0.15% for makers and 0.25% for takers.");
    expect(markup).toContain(`From ${dateTime(READY_AT)}.`);
    expect(markup).toContain('href="/#escape-hatch"');
  });

  it("say an exit-delay change as a duration, and a due change as one that may run at any moment", () => {
    const markup = shown([
      change({
        function: "setExitDelay",
        arguments: [{ name: "exitDelay", value: "172800", human: "172800 s (2 d)" }],
        status: "due",
      }),
    ]);
    expect(markup).toContain("The escape hatch&#x27;s waiting time changes to 2 d 00:00:00.");
    expect(markup).toContain("It may take effect at any moment.");
  });

  it("say the Exchange's operator, admin and fee-recipient changes in words", () => {
    const who = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
    const markup = shown(
      (
        [
          ["addOperator", "operator"],
          ["setAdmin", "admin"],
          ["setFeeRecipient", "feeRecipient"],
        ] as const
      ).map(([fn, name], i) => change({ id: `0x${i}`, function: fn, arguments: [{ name, value: who, human: null }] })),
    );
    expect(markup).toContain(`${who} becomes an operator of the exchange: it may settle the trades of orders you signed.`);
    expect(markup).toContain(`The exchange&#x27;s admin passes to ${who}.`);
    expect(markup).toContain(`Trading fees go to ${who}.`);
  });

  it("say a price-source change with its market's name, and a removed source as the operator's to trigger", () => {
    const [weth, usdc, feed] = ["0x" + "a".repeat(40), "0x" + "b".repeat(40), "0x" + "c".repeat(40)];
    const priceFeed = (source: string) =>
      change({
        id: source,
        function: "setPriceFeed",
        arguments: [
          { name: "baseToken", value: weth, human: null },
          { name: "quoteToken", value: usdc, human: null },
          { name: "feed", value: source, human: null },
          { name: "maxAge", value: "3600", human: "3600 s (1 h)" },
        ],
      });
    const market = { name: "WETH-USDC", baseToken: { address: weth.toUpperCase() }, quoteToken: { address: usdc } };
    const markup = shown([priceFeed(feed), priceFeed("0x" + "0".repeat(40))], {}, [market]);
    expect(markup).toContain(`Stop orders of WETH-USDC are triggered by the price source ${feed}, trusted while its answer is at most 01:00:00 old.`);
    expect(markup).toContain("Stop orders of WETH-USDC lose their price source: the operator triggers them.");
    expect(shown([priceFeed(feed)])).toContain(`Stop orders of ${weth}/${usdc} are triggered`); // no market known
  });

  it("show any other call as the call the chain will run", () => {
    const markup = shown([
      change({
        contract: "Custody",
        function: "setDailyLimit",
        arguments: [],
        description: "Custody.setDailyLimit(token=0x0000000000000000000000000000000000000000, limit=5000000000000000000)",
      }),
    ]);
    expect(markup).toContain(
      "The exchange&#x27;s owners will run Custody.setDailyLimit(token=0x0000000000000000000000000000000000000000, limit=5000000000000000000).",
    );
  });

  it("are not shown while nothing is scheduled", () => {
    expect(shown([])).not.toContain("Scheduled changes");
  });

  it("say that an admin which is not the Custody need announce nothing, with the way out", () => {
    const stranger = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
    const markup = shown([], { admin: stranger, timelocked: false, custody: null });
    expect(markup).toContain(`aria-label="The exchange&#x27;s admin is not timelocked"`);
    expect(markup).toContain(`The exchange&#x27;s admin is ${stranger}, which is not the exchange&#x27;s Custody contract`);
    expect(markup).toContain('href="/#escape-hatch"');
    expect(shown([], { admin: null, timelocked: false, custody: null })).not.toContain("timelocked"); // nothing deployed
  });
});
