import "./messages";
import type { ReactNode } from "react";
import { describe, expect, it } from "vitest";
import type { Market } from "../../lib/api-types";
import { marketsQuery } from "../markets";
import { AlertsSection } from "./alerts-section";
import { CaseDetailView } from "./case-detail";
import { RiskSection } from "./risk-section";
import type { CaseDetail, WithdrawalPauseState } from "./staff-types";
import { providedMarkup } from "../../testing/markup";
import { staffMember } from "./test-fixtures";

const COMPLIANCE = staffMember(["alerts.read", "cases.manage"]);
const AUDITOR = staffMember(["alerts.read"]);
const ADMIN = staffMember(["alerts.read", "cases.manage", "risk.manage"]);

const HALTED: Market = {
  name: "WETH-USDC",
  baseToken: { address: "0x0000000000000000000000000000000000000001", symbol: "WETH", decimals: 18 },
  quoteToken: { address: "0x0000000000000000000000000000000000000002", symbol: "USDC", decimals: 6 },
  priceScale: "1000000000000000000",
  tickSize: "10000",
  lotSize: "1000000000000000",
  minNotional: "10000000",
  makerFeeRate: 1000,
  takerFeeRate: 2000,
  feeRateScale: 1_000_000,
  state: "cancel_only",
  halt: { kind: "breaker", reason: "price moved 12.5% in 300 s", reference: "2000000000", price: "2250000000", haltedAt: Date.now(), until: Date.now() + 600_000 },
};
const PAUSED: WithdrawalPauseState = { paused: true, pauses: [{ id: 1, reason: "ledger and chain differ by 5 USDC", details: {}, raisedAt: Date.now() }] };
const DETAIL: CaseDetail = {
  case: { id: 9, title: "Structuring by 0x9965", subject: null, status: "open", assignee: null, closeReason: null, createdBy: "staff:ada@hdex.example", createdAt: 1, updatedAt: 1, alertIds: [3] },
  alerts: [{ id: 3, kind: "aml.structuring", severity: "critical", subject: null, message: "3 withdrawals just under the limit", details: {}, status: "acknowledged", caseId: 9, occurrences: 1, createdAt: 1, lastSeenAt: 1 }],
  notes: [{ id: 1, author: "staff:ada@hdex.example", body: "<b>not markup</b>", createdAt: 2 }],
};

const html = (node: ReactNode) =>
  providedMarkup(node, [
    [marketsQuery.queryKey, [HALTED]],
    [["staff", "risk", "withdrawals"], PAUSED],
    [["staff", "cases", "detail", 9], DETAIL],
  ]);

describe("what each role sees of the alerts", () => {
  it("shows staff with cases.manage the selection, Open case and Close alert", () => {
    const markup = html(<AlertsSection member={COMPLIANCE} />);
    expect(markup).toContain(">Open case</button>");
    expect(markup).toContain(">Close alert</button>");
  });

  it("shows a reader the list only", () => {
    const markup = html(<AlertsSection member={AUDITOR} />);
    expect(markup).toContain("<h2");
    expect(markup).not.toContain("Open case");
    expect(markup).not.toContain("Close alert");
  });
});

describe("what each role sees of a case", () => {
  it("gives cases.manage the status buttons, the assignee and the note form", () => {
    const markup = html(<CaseDetailView id={9} member={COMPLIANCE} />);
    for (const text of [">Start investigation</button>", ">Escalate</button>", ">Close case</button>", ">Assignee</label>", ">Note</label>", ">Add note</button>"])
      expect(markup).toContain(text);
  });

  it("lets a reader export the report but change nothing, and shows notes as text", () => {
    const markup = html(<CaseDetailView id={9} member={AUDITOR} />);
    expect(markup).toContain('href="/v1/staff/cases/9/report?format=json"');
    expect(markup).toContain('href="/v1/staff/cases/9/report?format=html"');
    expect(markup).not.toContain("Start investigation");
    expect(markup).not.toContain(">Note</label>");
    expect(markup).toContain("&lt;b&gt;not markup&lt;/b&gt;");
  });
});

describe("what each role sees of the market risk", () => {
  it("shows everyone the halt and the withdrawal pause, with the reasons", () => {
    const markup = html(<RiskSection member={AUDITOR} />);
    expect(markup).toContain("price moved 12.5% in 300 s");
    expect(markup).toContain("ledger and chain differ by 5 USDC");
    expect(markup).not.toContain("End halt");
    expect(markup).not.toContain("Resume withdrawals");
  });

  it("gives risk.manage the End halt and Resume withdrawals controls", () => {
    const markup = html(<RiskSection member={ADMIN} />);
    expect(markup).toContain(">End halt</button>");
    expect(markup).toContain(">Resume withdrawals</button>");
  });
});
