import { describe, expect, it } from "vitest";
import { dayLabels, valueFormat } from "./chart-format";

const DEC_1_2026 = Date.UTC(2026, 11, 1) / 1000; // a UTC day's midnight, in seconds: a daily plot's time

describe("daily plots", () => {
  it("label counts as whole numbers, on an axis that steps by whole numbers", () => {
    const counts = valueFormat("count", "en");
    expect(counts.minMove).toBe(1);
    expect([4.95, 5, 5.05, 1234].map(counts.formatter)).toEqual(["5", "5", "5", "1,234"]);
  });

  it("label amounts with the locale's grouping, to a hundredth at most", () => {
    const amounts = valueFormat("amount", "en");
    expect(amounts.formatter(1234567.891)).toBe("1,234,567.89");
    expect(amounts.formatter(2000)).toBe("2,000");
    expect(valueFormat("amount", "de").formatter(1234.5)).toBe("1.234,5");
  });

  it("label days as dates of the UTC day, whatever the reader's time zone", () => {
    const days = dayLabels("en");
    expect(days.mark(DEC_1_2026, "day")).toBe("Dec 1");
    expect(days.mark(DEC_1_2026, "month")).toBe("Dec");
    expect(days.mark(DEC_1_2026, "year")).toBe("2026");
    expect(days.full(DEC_1_2026)).toBe("Dec 1, 2026");
    expect(dayLabels("zh-CN").mark(DEC_1_2026, "day")).toBe("12月1日");
  });
});
