import "./messages";
import { describe, expect, it } from "vitest";
import { translate } from "../../i18n";
import type { MarketRisk } from "../../lib/api-types";
import { riskBody, riskForm, timeLeft, type RiskForm } from "./risk-forms";

const MARKET = {
  baseToken: { address: "0x0000000000000000000000000000000000000001", symbol: "WETH", decimals: 18 },
  quoteToken: { address: "0x0000000000000000000000000000000000000002", symbol: "USDC", decimals: 6 },
} as const;

const SETTINGS: MarketRisk = {
  bandBps: 500,
  breakerBps: 1000,
  alertBps: 500,
  windowS: 300,
  cooldownS: 600,
  feedAlertBps: 200,
  feedHaltBps: 1000,
  maxOrderBase: "100000000000000000000",
  maxOrderNotional: "250000000000",
  maxOpenNotional: null,
  reference: "2000000000",
};

const INITIAL = riskForm(SETTINGS, MARKET);
const form = (changes: Partial<RiskForm> = {}): RiskForm => ({ ...INITIAL, reason: "tighter bands for the launch", ...changes });
const say = (result: ReturnType<typeof riskBody>) =>
  result.ok ? {} : Object.fromEntries(Object.entries(result.problems).map(([field, problem]) => [field, translate("en", problem.key, problem.params)]));

describe("the market risk form", () => {
  it("starts from the market's settings in token units, empty where the default applies", () => {
    const start = riskForm(SETTINGS, MARKET);
    expect([start.bandBps, start.maxOrderBase, start.maxOrderNotional, start.maxOpenNotional]).toEqual(["500", "100", "250000", ""]);
  });

  it("sends only the fields changed: whole basis points and seconds, base units as strings, null for an emptied one", () => {
    const result = riskBody(form({ maxOrderNotional: "1000.5", maxOpenNotional: "7500", bandBps: "", cooldownS: "60", alertBps: "0" }), MARKET, INITIAL);
    expect(result).toEqual({
      ok: true,
      body: { bandBps: null, alertBps: 0, cooldownS: 60, maxOrderNotional: "1000500000", maxOpenNotional: "7500000000", reason: "tighter bands for the launch" },
    });
  });

  it("asks for a change before sending anything", () => {
    expect(say(riskBody(form(), MARKET, INITIAL))).toEqual({ form: "Change at least one setting first." });
  });

  it("says in words what is wrong with each field and sends nothing", () => {
    const result = riskBody(form({ bandBps: "2.5", breakerBps: "20000", windowS: "0", maxOrderBase: "-1", maxOrderNotional: "1.1234567", reason: " " }), MARKET, INITIAL);
    expect(say(result)).toEqual({
      bandBps: "Enter a whole number, such as 500 (0 turns the check off).",
      breakerBps: "Use at most 10,000 basis points (100 %).",
      windowS: "Use at least 1 second, or leave the field empty for the default.",
      maxOrderBase: "Enter an amount such as 10 or 2500.5 (digits and one point), or leave it empty.",
      maxOrderNotional: "Use at most 6 decimals.",
      reason: "Give the reason: the audit log keeps it.",
    });
  });

  it("keeps the alert thresholds below what halts, unless one of them is off", () => {
    expect(say(riskBody(form({ alertBps: "1000" }), MARKET, INITIAL))).toEqual({
      alertBps: "The volatility alert must be below the circuit breaker, so the alert comes first.",
    });
    expect(say(riskBody(form({ feedAlertBps: "1500" }), MARKET, INITIAL))).toEqual({
      feedAlertBps: "The feed deviation alert must be below the feed deviation halt.",
    });
    expect(riskBody(form({ alertBps: "1000", breakerBps: "0" }), MARKET, INITIAL).ok).toBe(true);
    expect(riskBody(form({ maxOrderNotional: "0" }), MARKET, INITIAL).ok).toBe(false);
  });
});

describe("timeLeft", () => {
  it("counts down in hours, minutes or seconds, never below zero", () => {
    expect(timeLeft(3_900_000, 0)).toBe("1 h 05 min");
    expect(timeLeft(250_000, 0)).toBe("4 min 10 s");
    expect(timeLeft(12_000, 400)).toBe("12 s");
    expect(timeLeft(0, 5_000)).toBe("0 s");
  });
});
