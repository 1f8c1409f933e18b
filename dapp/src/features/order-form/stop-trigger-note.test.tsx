import type { ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { I18nProvider } from "../../i18n";
import { StopTriggerNote } from "./stop-trigger-note";
import { DEV_MARKET_WITH_FEED } from "./test-fixtures";

function html(node: ReactNode): string {
  return renderToStaticMarkup(<I18nProvider>{node}</I18nProvider>);
}

describe("the stop trigger note", () => {
  it("is a note named Stop trigger that says the operator decides and the worst price still holds", () => {
    const markup = html(<StopTriggerNote source={null} />);
    expect(markup).toContain('role="note"');
    expect(markup).toContain('aria-label="Stop trigger"');
    expect(markup).toContain(
      "Operator-triggered: this market has no on-chain price feed, so the exchange decides when your stop price is " +
        "reached; your worst price is still enforced on-chain.",
    );
  });

  it("names the price feed the contract checks the trigger against", () => {
    const source = DEV_MARKET_WITH_FEED.priceSource!;
    const markup = html(<StopTriggerNote source={source} />);
    expect(markup).toContain('aria-label="Stop trigger"');
    expect(markup).toContain(
      `Trigger checked on-chain against the ${source.feed} price feed: the stop starts when that feed reaches it`,
    );
    expect(markup).not.toContain("Operator-triggered");
  });
});
