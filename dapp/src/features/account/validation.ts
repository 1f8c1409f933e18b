/**
 * What is wrong with what the user typed or picked, in words, before anything is sent. The server
 * checks everything again (a file's type by its content, not its name): these checks only save a trip.
 */
import type { MessageKey, MessageParams } from "../../i18n";
import { isCountryCode } from "../../lib/countries";
import type { Level1Data } from "./account-api";

/** A message of the catalogue and its placeholders. */
export interface Problem {
  key: MessageKey;
  params?: MessageParams;
}

/** As backend/accounts/profiles.py checks an e-mail address. */
const EMAIL = /^[^@\s<>"'()[\]\\,;:]+@[^@\s<>"'()[\]\\,;:]+\.[^@\s<>"'()[\]\\,;:]+$/;
const MAX_EMAIL_CHARS = 254;
const MAX_TEXT_CHARS = 200;
// As backend/accounts/identity.py's LIMITS: a longer city or region was refused by the server in English.
const MAX_PLACE_CHARS = 100;
const MAX_POSTAL_CODE_CHARS = 20;
/** As backend/accounts/identity.py's MIN_AGE_YEARS. */
export const MIN_AGE_YEARS = 18;

/** An e-mail address, or "" to have none. */
export function emailProblem(text: string): Problem | null {
  const email = text.trim();
  if (email === "") return null;
  if (email.length > MAX_EMAIL_CHARS || !EMAIL.test(email)) return { key: "profile.error.email" };
  return null;
}

export interface Level1Form {
  legalName: string;
  dateOfBirth: string;
  country: string;
  line1: string;
  line2: string;
  city: string;
  postalCode: string;
  region: string;
}

export type Level1Field = keyof Level1Form;

export const EMPTY_LEVEL1: Level1Form = {
  legalName: "",
  dateOfBirth: "",
  country: "",
  line1: "",
  line2: "",
  city: "",
  postalCode: "",
  region: "",
};

function textProblem(value: string, required: boolean, max = MAX_TEXT_CHARS): Problem | null {
  const text = value.trim();
  if (text === "") return required ? { key: "kyc.error.required" } : null;
  if (text.length > max) return { key: "kyc.error.tooLong", params: { max } };
  // Control characters (a pasted tab, a NUL) have no place in a name or an address.
  if (/[\u0000-\u001f\u007f]/.test(text)) return { key: "kyc.error.controlCharacters" };
  return null;
}

/** A YYYY-MM-DD calendar date between 1900-01-01 and `today` (a birth date in the future is a typo), of someone
 * MIN_AGE_YEARS old by `today` (the server refuses anyone younger, and said so only in English). */
export function dateOfBirthProblem(value: string, today: Date): Problem | null {
  if (value.trim() === "") return { key: "kyc.error.required" };
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) return { key: "kyc.error.dateFormat" };
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return { key: "kyc.error.dateFormat" };
  }
  if (year < 1900) return { key: "kyc.error.dateTooEarly" };
  const todayUtc = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
  if (date.getTime() >= todayUtc) return { key: "kyc.error.dateInFuture" };
  // Date.UTC rolls 29 February on to 1 March in a common year, the day the server counts as the birthday too.
  if (Date.UTC(year + MIN_AGE_YEARS, month - 1, day) > todayUtc) return { key: "kyc.error.tooYoung", params: { min: MIN_AGE_YEARS } };
  return null;
}

/** Each field's problem; an empty object when the form can be sent. */
export function level1Problems(form: Level1Form, today: Date): Partial<Record<Level1Field, Problem>> {
  const problems: Partial<Record<Level1Field, Problem | null>> = {
    legalName: textProblem(form.legalName, true),
    dateOfBirth: dateOfBirthProblem(form.dateOfBirth, today),
    country: isCountryCode(form.country) ? null : { key: "kyc.error.chooseCountry" },
    line1: textProblem(form.line1, true),
    line2: textProblem(form.line2, false),
    city: textProblem(form.city, true, MAX_PLACE_CHARS),
    postalCode: textProblem(form.postalCode, true, MAX_POSTAL_CODE_CHARS),
    region: textProblem(form.region, false, MAX_PLACE_CHARS),
  };
  return Object.fromEntries(Object.entries(problems).filter(([, problem]) => problem)) as Partial<Record<Level1Field, Problem>>;
}

/** The request body of a valid form: text trimmed, empty optional lines left out. */
export function level1Body(form: Level1Form): Level1Data {
  const optional = (value: string) => (value.trim() ? value.trim() : undefined);
  return {
    legalName: form.legalName.trim(),
    dateOfBirth: form.dateOfBirth.trim(),
    country: form.country,
    address: {
      line1: form.line1.trim(),
      line2: optional(form.line2),
      city: form.city.trim(),
      postalCode: form.postalCode.trim(),
      region: optional(form.region),
    },
  };
}

/** Largest upload the page lets through: the server's default (HDEX_KYC_MAX_UPLOAD_BYTES); the server's
 * own setting decides (UPLOAD_TOO_LARGE). */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
const ACCEPTED_TYPES: Record<string, string> = {
  "application/pdf": "pdf",
  "image/png": "png",
  "image/jpeg": "jpeg",
};
const ACCEPTED_EXTENSIONS = new Set(["pdf", "png", "jpg", "jpeg"]);
/** For the file pickers' `accept`: a hint to the picker, not a check. */
export const UPLOAD_ACCEPT = "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg";

/** Megabytes with one decimal, for messages. */
export function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

/** What is wrong with a picked file (the type by what the browser says, else by the name's extension). */
export function uploadProblem(file: Pick<File, "name" | "size" | "type"> | null): Problem | null {
  if (!file) return { key: "kyc.error.fileRequired" };
  if (file.size === 0) return { key: "kyc.error.fileEmpty" };
  if (file.size > MAX_UPLOAD_BYTES) {
    return { key: "kyc.error.fileTooLarge", params: { size: megabytes(file.size), max: megabytes(MAX_UPLOAD_BYTES) } };
  }
  const extension = /\.([A-Za-z0-9]+)$/.exec(file.name)?.[1]?.toLowerCase() ?? "";
  const typeOk = file.type ? file.type.toLowerCase() in ACCEPTED_TYPES : ACCEPTED_EXTENSIONS.has(extension);
  if (!typeOk) return { key: "kyc.error.fileType", params: { name: file.name } };
  return null;
}
