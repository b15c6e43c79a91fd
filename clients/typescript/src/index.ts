// Keel's API for TypeScript: `schema.d.ts` is generated from the OpenAPI document by
// openapi-typescript (`npm run generate`, never edited by hand); openapi-fetch makes each call
// typed by it. This file adds what a document cannot say: how to authenticate, and how to walk
// a list to its end.
import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { paths } from "./schema.js";

export type { paths, components, operations } from "./schema.js";

export interface KeelOptions {
  /** The server, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** An API key (`keel_…`), an account token or an operator token. */
  token: string;
  /** The workspace, for tokens that reach several (`X-Workspace-ID`). */
  workspace?: string;
  /** Another fetch (a test's, a proxy's). */
  fetch?: ClientOptions["fetch"];
}

/** The error body every failed call of Keel's API answers with. */
export interface KeelErrorBody {
  status?: string;
  error: { code: string; message: string; details?: unknown; request_id?: string };
}

/** A failed call: the HTTP status and Keel's error code and message. */
export class KeelError extends Error {
  constructor(
    readonly status: number,
    readonly body: KeelErrorBody | undefined,
  ) {
    super(
      body?.error
        ? `${status} ${body.error.code}: ${body.error.message}`
        : `HTTP ${status}`,
    );
    this.name = "KeelError";
  }
}

function headersOf(o: KeelOptions): Record<string, string> {
  const h: Record<string, string> = { Authorization: `Bearer ${o.token}` };
  if (o.workspace) h["X-Workspace-ID"] = o.workspace;
  return h;
}

/** A client of every path of the API, typed by the OpenAPI document. */
export function createKeelClient(o: KeelOptions): Client<paths> {
  return createClient<paths>({
    baseUrl: o.baseUrl.replace(/\/+$/, ""),
    headers: headersOf(o),
    fetch: o.fetch,
  });
}

/** A list's page as Keel answers it: rows, and the next page's full URL in `meta.next`. */
export interface Page<T> {
  data: T[];
  meta?: { next?: string | null };
}

/**
 * Every row of a list, the first page given and the rest fetched by following `meta.next`
 * (the next page's full URL, filters and cursor included) until it is `null`.
 */
export async function* paginate<T>(
  o: KeelOptions,
  first: Page<T>,
): AsyncGenerator<T, void, undefined> {
  const doFetch = o.fetch ?? globalThis.fetch;
  let page: Page<T> = first;
  for (;;) {
    yield* page.data;
    const next = page.meta?.next;
    if (!next) return;
    const r = await doFetch(new Request(next, { headers: headersOf(o) }));
    const body = await r.json().catch(() => undefined);
    if (!r.ok) throw new KeelError(r.status, body as KeelErrorBody | undefined);
    page = body as Page<T>;
  }
}

/** The data of a call's answer, or a [`KeelError`] for a failed one. */
export function unwrap<D>(r: { data?: D; error?: unknown; response: Response }): D {
  if (r.error !== undefined || r.data === undefined) {
    throw new KeelError(r.response.status, r.error as KeelErrorBody | undefined);
  }
  return r.data;
}
