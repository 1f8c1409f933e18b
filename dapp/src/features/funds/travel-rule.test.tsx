import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { I18nProvider } from "../../i18n";
import { MAKER } from "../order-form/test-fixtures";
import { EMPTY_TRAVEL_RULE, travelRuleBody, travelRuleProblems, type TravelRuleDraft } from "./travel-rule";
import { TravelRuleFields } from "./travel-rule-fields";
import { withdrawalBody, withdrawalMessage } from "./withdrawal";

const ADA: TravelRuleDraft = { familyName: " Lovelace ", givenNames: "Ada", street: "12 St James's Square", postCode: "", town: "London", country: "GB" };

function fields(draft: TravelRuleDraft, problems = {}): string {
  return renderToStaticMarkup(
    <I18nProvider>
      <TravelRuleFields draft={draft} onChange={() => undefined} threshold="1,000.00 USDC" problems={problems} />
    </I18nProvider>,
  );
}

/** The text of the label tied (for=) to each control, in order. */
function labels(markup: string): string[] {
  const ids = [...markup.matchAll(/<(?:input|select)[^>]*\bid="([^"]+)"/g)].map((match) => match[1]);
  return ids.map((id) => new RegExp(`<label for="${id}"[^>]*>([^<]+)</label>`).exec(markup)?.[1] ?? `(no label for ${id})`);
}

describe("travel-rule details at the withdraw form", () => {
  it("asks for the family name, street, town and country, and a listed country", () => {
    expect(travelRuleProblems(EMPTY_TRAVEL_RULE)).toEqual({ familyName: "required", street: "required", town: "required", country: "required" });
    expect(travelRuleProblems({ ...ADA, country: "UK" })).toEqual({ country: "country" });
    expect(travelRuleProblems(ADA)).toEqual({});
  });

  it("makes the person both originator and beneficiary of a withdrawal to their own wallet", () => {
    const name = { primaryIdentifier: "Lovelace", secondaryIdentifier: "Ada" };
    expect(travelRuleBody(ADA, MAKER)).toEqual({
      originator: {
        naturalPerson: { name, geographicAddress: { streetName: "12 St James's Square", townName: "London", country: "GB" } },
        accountNumber: MAKER,
      },
      beneficiary: { naturalPerson: { name }, accountNumber: MAKER },
    });
    expect(travelRuleBody({ ...ADA, givenNames: " ", postCode: "SW1Y 4JH" }, MAKER)).toMatchObject({
      originator: { naturalPerson: { name: { primaryIdentifier: "Lovelace" }, geographicAddress: { postCode: "SW1Y 4JH" } } },
    });
  });

  it("sends the details beside the signed withdrawal, and nothing when there are none", () => {
    const message = withdrawalMessage(MAKER, MAKER, 5n, 0, 1n, 2n);
    const details = travelRuleBody(ADA, MAKER);
    expect(withdrawalBody(message, "0xsig", details)).toMatchObject({ signature: "0xsig", travelRule: details });
    expect(withdrawalBody(message, "0xsig")).not.toHaveProperty("travelRule");
  });

  it("labels every field and says why the details are asked for", () => {
    const markup = fields(EMPTY_TRAVEL_RULE);
    expect(labels(markup)).toEqual(["Family name", "Given names (optional)", "Street and number", "Post code (optional)", "Town or city", "Country"]);
    expect(markup).toContain("<legend>Travel rule: your details</legend>");
    expect(markup).toContain("Withdrawals worth 1,000.00 USDC or more");
    expect(markup).not.toContain('role="alert"');
  });

  it("says in words which field is missing once a withdrawal was attempted", () => {
    const markup = fields({ ...ADA, town: "" }, travelRuleProblems({ ...ADA, town: "" }));
    expect(markup.match(/role="alert"/g)).toHaveLength(1);
    expect(markup).toContain("Required for this withdrawal.");
    expect(markup).toMatch(/<input[^>]*aria-invalid="true"[^>]*autoComplete="address-level2"|<input[^>]*autoComplete="address-level2"[^>]*aria-invalid="true"/);
  });
});
