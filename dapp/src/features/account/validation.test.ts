import "./messages";
import { describe, expect, it } from "vitest";
import { translate } from "../../i18n";
import { EMPTY_LEVEL1, emailProblem, level1Body, level1Problems, MAX_UPLOAD_BYTES, uploadProblem, type Problem } from "./validation";

const words = (problem: Problem | null | undefined) => (problem ? translate("en", problem.key, problem.params) : null);
const today = new Date(2026, 0, 15);
const valid = { ...EMPTY_LEVEL1, legalName: "Ada Lovelace", dateOfBirth: "1990-12-10", country: "GB", line1: "12 St James's Square", city: "London", postalCode: "SW1Y 4JH" };

describe("emailProblem", () => {
  it("accepts an address or nothing, and says what to type otherwise", () => {
    expect(emailProblem("ada@example.com")).toBeNull();
    expect(emailProblem("  ")).toBeNull();
    expect(words(emailProblem("ada@example"))).toBe("Enter an e-mail address such as name@example.com, or leave it empty.");
    expect(words(emailProblem("<script>@x.io"))).not.toBeNull();
  });
});

describe("level1Problems", () => {
  it("passes a complete form and trims it into the request body", () => {
    expect(level1Problems(valid, today)).toEqual({});
    expect(level1Body({ ...valid, legalName: "  Ada Lovelace ", line2: " " })).toEqual({
      legalName: "Ada Lovelace",
      dateOfBirth: "1990-12-10",
      country: "GB",
      address: { line1: "12 St James's Square", line2: undefined, city: "London", postalCode: "SW1Y 4JH", region: undefined },
    });
  });

  it("names every missing required field in words, and not the optional ones", () => {
    const problems = level1Problems(EMPTY_LEVEL1, today);
    expect(Object.keys(problems).sort()).toEqual(["city", "country", "dateOfBirth", "legalName", "line1", "postalCode"]);
    expect(words(problems.legalName)).toBe("Fill this in.");
    expect(words(problems.country)).toBe("Choose your country.");
  });

  it("refuses impossible, future and ancient birth dates", () => {
    expect(words(level1Problems({ ...valid, dateOfBirth: "1990-02-30" }, today).dateOfBirth)).toBe("Enter a real date (year, month, day).");
    expect(words(level1Problems({ ...valid, dateOfBirth: "2026-01-15" }, today).dateOfBirth)).toBe("A date of birth lies in the past.");
    expect(words(level1Problems({ ...valid, dateOfBirth: "1850-01-01" }, today).dateOfBirth)).toBe("Enter a date after 1900.");
  });

  it("refuses, in the user's language, a birth date of someone under 18, as the server would (it said so in English)", () => {
    const tooYoung = level1Problems({ ...valid, dateOfBirth: "2008-01-16" }, today).dateOfBirth;
    expect(words(tooYoung)).toBe("You must be 18 or older to verify your identity.");
    expect(translate("zh-CN", tooYoung!.key, tooYoung!.params)).toBe("须年满 18 周岁才能进行身份验证。");
    expect(level1Problems({ ...valid, dateOfBirth: "2008-01-15" }, today).dateOfBirth).toBeUndefined(); // 18 today
    // born on 29 February: 18 on 1 March of a common year, as the server counts it
    expect(level1Problems({ ...valid, dateOfBirth: "2008-02-29" }, new Date(2026, 1, 28)).dateOfBirth?.key).toBe("kyc.error.tooYoung");
    expect(level1Problems({ ...valid, dateOfBirth: "2008-02-29" }, new Date(2026, 2, 1)).dateOfBirth).toBeUndefined();
  });

  it("holds a city and a region to the server's 100 characters (a longer one came back as an English refusal)", () => {
    expect(level1Problems({ ...valid, city: "A".repeat(100), region: "B".repeat(100) }, today)).toEqual({});
    const problems = level1Problems({ ...valid, city: "A".repeat(101), region: "B".repeat(101) }, today);
    expect(words(problems.city)).toBe("Use at most 100 characters.");
    expect(words(problems.region)).toBe("Use at most 100 characters.");
  });

  it("refuses an unknown country code, overlong text and control characters", () => {
    expect(words(level1Problems({ ...valid, country: "XX" }, today).country)).toBe("Choose your country.");
    expect(words(level1Problems({ ...valid, legalName: "A".repeat(201) }, today).legalName)).toBe("Use at most 200 characters.");
    expect(words(level1Problems({ ...valid, city: "Lon\u0000don" }, today).city)).toBe("Remove the tabs or other control characters.");
  });
});

describe("uploadProblem", () => {
  const file = (name: string, size: number, type: string) => ({ name, size, type });

  it("accepts PDF, PNG and JPEG up to the size limit", () => {
    expect(uploadProblem(file("passport.pdf", 200_000, "application/pdf"))).toBeNull();
    expect(uploadProblem(file("id.JPG", MAX_UPLOAD_BYTES, "image/jpeg"))).toBeNull();
    expect(uploadProblem(file("bill.png", 1, ""))).toBeNull(); // no type from the browser: the extension decides
  });

  it("says in words what is wrong with a missing, empty, oversized or foreign file", () => {
    expect(words(uploadProblem(null))).toBe("Choose a file.");
    expect(words(uploadProblem(file("id.pdf", 0, "application/pdf")))).toBe("This file is empty.");
    expect(words(uploadProblem(file("id.pdf", 12 * 1024 * 1024 + 1, "application/pdf")))).toBe("This file is 12.0 MB; files up to 5.0 MB are accepted.");
    expect(words(uploadProblem(file("setup.exe", 4096, "application/x-msdownload")))).toBe("setup.exe is not a PDF, PNG or JPEG file.");
    expect(words(uploadProblem(file("image.svg", 4096, "image/svg+xml")))).toBe("image.svg is not a PDF, PNG or JPEG file.");
  });
});
