/**
 * The one HTTP client of the app. Every non-2xx answer becomes an `ApiError` carrying the server's
 * `{"error": {"code", "message", "field"}}`, so callers branch on `code` and show `message` in words.
 */

export class ApiError extends Error {
  /** HTTP status; 0 when the request never got an answer (network down, CORS, aborted). */
  readonly status: number;
  /** The server's error code (`PRICE_OFF_TICK`, `NOT_SIGNED_IN`, ...), or `NETWORK_ERROR` / `HTTP_<status>`. */
  readonly code: string;
  /** The request field the error is about, when the server names one. */
  readonly field: string | null;
  /** Seconds to wait before retrying, from `Retry-After` on 429 answers. */
  readonly retryAfter: number | null;

  constructor(status: number, code: string, message: string, field: string | null = null, retryAfter: number | null = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter;
  }
}

export const NETWORK_ERROR = "NETWORK_ERROR";

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  /** Sent as JSON; a `FormData` is sent as multipart/form-data (the browser writes the boundary). */
  body?: unknown;
  /** Extra request headers (the staff API's X-CSRF-Token). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A file the API answered with (a KYC document, a data export). */
export interface Download {
  blob: Blob;
  /** The Content-Type the server sent, without parameters, lower case ("" when none). */
  contentType: string;
  /** The file name of Content-Disposition, when the server gives one. */
  fileName: string | null;
}

/** `path` with the defined `query` values appended (null and undefined are left out). */
export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== null && value !== undefined) params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** The ApiError an error answer stands for, from its status, headers and (maybe JSON) body text. */
export function errorFromResponse(status: number, statusText: string, bodyText: string, retryAfterHeader: string | null): ApiError {
  const retryAfter = retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : null;
  try {
    const body = JSON.parse(bodyText) as { error?: { code?: unknown; message?: unknown; field?: unknown } };
    const error = body.error;
    if (error && typeof error.code === "string") {
      const message = typeof error.message === "string" ? error.message : error.code;
      const field = typeof error.field === "string" ? error.field : null;
      return new ApiError(status, error.code, message, field, retryAfter);
    }
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): fall through to the status line.
  }
  return new ApiError(status, `HTTP_${status}`, statusText || `HTTP ${status}`, null, retryAfter);
}

/** The answer to a request, once it is a 2xx; an ApiError otherwise. */
async function send(method: string, path: string, options: RequestOptions, accept: string): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept, ...options.headers };
  const init: RequestInit = {
    method,
    credentials: "same-origin", // the SIWE session cookie, or the staff one under /v1/staff
    headers,
    signal: options.signal ?? null,
  };
  if (options.body instanceof FormData) {
    init.body = options.body;
  } else if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), init);
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new ApiError(0, NETWORK_ERROR, "the exchange cannot be reached");
  }
  if (!response.ok) {
    const text = await response.text();
    throw errorFromResponse(response.status, response.statusText, text, response.headers.get("Retry-After"));
  }
  return response;
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const text = await (await send(method, path, options, "application/json")).text();
  return (text ? JSON.parse(text) : null) as T;
}

/** `filename="..."` of a Content-Disposition header, path parts dropped. */
export function fileNameOf(disposition: string | null): string | null {
  const match = disposition ? /filename="?([^";]+)"?/i.exec(disposition) : null;
  const name = match?.[1]?.split(/[\\/]/).pop()?.trim();
  return name ? name : null;
}

async function download(path: string, options: Omit<RequestOptions, "body"> = {}): Promise<Download> {
  const response = await send("GET", path, options, "*/*");
  const contentType = (response.headers.get("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return { blob: await response.blob(), contentType, fileName: fileNameOf(response.headers.get("Content-Disposition")) };
}

/** Typed calls to the HDEX API (same origin: paths start with `/v1` or `/health`). */
export const api = {
  get: <T>(path: string, options?: Omit<RequestOptions, "body">) => request<T>("GET", path, options),
  /** `get`, or null when the API has no such thing (404): a read-back of what an earlier request may have made. */
  find: async <T>(path: string, options?: Omit<RequestOptions, "body">): Promise<T | null> => {
    try {
      return await request<T>("GET", path, options);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  },
  post: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, "body">) =>
    request<T>("POST", path, { ...options, body }),
  put: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, "body">) =>
    request<T>("PUT", path, { ...options, body }),
  delete: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, "body">) =>
    request<T>("DELETE", path, { ...options, body }),
  /** A file (GET), whatever its type; errors are still the API's JSON. */
  download,
};
