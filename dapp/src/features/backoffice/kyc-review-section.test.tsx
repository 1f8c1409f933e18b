import "./messages";
import { describe, expect, it } from "vitest";
import { providedMarkup } from "../../testing/markup";
import { SubmissionReview } from "./kyc-review-section";
import type { Permission, StaffSubmission } from "./staff-types";
import { staffMember } from "./test-fixtures";

const PENDING: StaffSubmission = {
  id: 5,
  level: 1,
  status: "pending",
  reason: null,
  submittedAt: 0,
  reviewedAt: null,
  documents: [],
  address: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
  email: null,
  reviewer: null,
  data: null,
};

const review = (permissions: Permission[], submission: StaffSubmission) =>
  providedMarkup(<SubmissionReview id={5} member={staffMember(permissions)} />, [[["staff", "kyc", "submission", "5"], submission]]);

describe("a submission under review", () => {
  it("tells a role that may only read why it offers no decision", () => {
    const markup = review(["kyc.read"], PENDING);
    expect(markup).not.toContain(">Approve</button>");
    expect(markup).toContain("Your role may read this submission but not decide it: approving or rejecting needs kyc.review.");
  });

  it("offers the decision to a reviewer without that notice", () => {
    const markup = review(["kyc.read", "kyc.review", "kyc.documents.read"], { ...PENDING, data: null, level: 2 });
    expect(markup).toContain(">Approve</button>");
    expect(markup).not.toContain("not decide it");
  });

  it("says why no identity data shows: the role may not read it, or the level carries none", () => {
    expect(review(["kyc.read"], PENDING)).toContain("Identity data is not shown: your role may not read it (it needs kyc.documents.read).");
    expect(review(["kyc.read", "kyc.documents.read"], { ...PENDING, level: 2 })).toContain(
      "This submission carries no identity data: at this level the user sends documents only.",
    );
  });
});
