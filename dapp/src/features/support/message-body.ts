/**
 * The body of a support message with an optional file, as the API reads it (backend/api/routes/support.py,
 * `fields_with_attachment`): JSON, or multipart/form-data with the same fields and the file as `attachment`.
 * Shared by the wallet's requests and staff's answers.
 */
export type MessageFields = Record<string, string | boolean>;

/** The form of `fields` (as text: the server reads "true" as a JSON true) and, if one was picked, the file as `attachment` under its own name. */
export function withAttachment(fields: MessageFields, attachment: File | null): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, String(value));
  if (attachment) form.append("attachment", attachment, attachment.name);
  return form;
}

/** `fields` as JSON without a file; multipart/form-data with one. */
export function jsonOrMultipart<Fields extends MessageFields>(fields: Fields, attachment: File | null): Fields | FormData {
  return attachment ? withAttachment(fields, attachment) : fields;
}
