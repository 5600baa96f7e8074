// Every call to the Factmark API, through the TypeScript client generated from openapi/openapi.json
// (src/generated, written by build.mjs). Runs in the service worker, whose host permissions let it call the
// service without CORS. Failures come back as the problem's `detail` (RFC 9457), never swallowed.
import { createClient } from './generated/client';
import { createAnnotations, health, listAnnotations, listArticles } from './generated/sdk.gen';
import type { AnnotationPage, ArticlePage, Problem } from './generated/types.gen';
import {
  type Checked,
  type Created,
  type Failure,
  fromW3C,
  isObject,
  type Lookup,
  type PageAnnotation,
  type Settings,
  type StoredArticle,
  W3C_ACCEPT,
} from './model';

const PAGE = 500;
// A page's annotations are read in pages of PAGE; this many pages at most (25,000 annotations) bounds the loop.
const MAX_PAGES = 50;

type Client = ReturnType<typeof createClient>;

export function clientFor(settings: Settings): Client {
  return createClient({ baseUrl: settings.serviceUrl.replace(/\/+$/, ''), auth: settings.apiKey });
}

interface Answer {
  data?: unknown;
  error?: unknown;
  response?: Response;
}

/** The failure an answer stands for, or null when it succeeded. */
function failure(answer: Answer, what: string): Failure | null {
  const status = answer.response?.status;
  if (status !== undefined && status < 400 && answer.error === undefined) return null;
  if (status === undefined) {
    return { ok: false, error: `${what}: the service did not answer (${String(answer.error ?? 'network error')})` };
  }
  const problem = answer.error as Partial<Problem> | undefined;
  const detail = isObject(problem) && typeof problem.detail === 'string' ? problem.detail : answer.response?.statusText;
  const fields = isObject(problem) && Array.isArray(problem.errors) ? problem.errors : [];
  const named = fields
    .map((e) => [e.pointer ?? e.parameter, e.detail].filter(Boolean).join(': '))
    .filter(Boolean)
    .join('; ');
  return { ok: false, status, error: `${what}: ${detail || `HTTP ${status}`}${named ? ` (${named})` : ''}` };
}

/** Whether the service answers and the key may read. */
export async function check(settings: Settings): Promise<Checked> {
  let client: Client;
  try {
    client = clientFor(settings);
    new URL(settings.serviceUrl);
  } catch {
    return { ok: false, error: `"${settings.serviceUrl}" is not a URL (e.g. http://127.0.0.1:8000)` };
  }
  const alive = await health({ client }).catch((error: unknown) => ({ error, response: undefined }));
  const down = failure(alive, `No Factmark service at ${settings.serviceUrl}`);
  if (down) return down;
  if (!settings.apiKey) return { ok: false, error: 'The service answered; enter an API key.' };
  const read = await listArticles({ client, query: { limit: 1 } });
  const refused = failure(read, 'The service answered but refused the key');
  if (refused) return refused;
  return { ok: true, message: `Connected: the service at ${settings.serviceUrl} answered and the key works.` };
}

/** The article stored for the first of `urls` that Factmark knows, with its annotations in the W3C representation
 * and the ids of those whose anchor is orphaned (the W3C body does not carry the anchor). */
export async function lookup(settings: Settings, urls: string[]): Promise<Lookup> {
  const client = clientFor(settings);
  let article: StoredArticle | null = null;
  for (const url of urls) {
    const found = await listArticles({ client, query: { url, include: 'text' } }).catch(networkError);
    // A page URL the service cannot read (a file: or chrome: page) is simply not an article.
    if (found.response?.status === 422) continue;
    const failed = failure(found, 'Looking the page up failed');
    if (failed) return failed;
    const item = (found.data as ArticlePage).items[0];
    if (item) {
      article = { id: item.id, url: item.url, title: item.title, text: item.text as string };
      break;
    }
  }
  if (!article) return { ok: true, article: null, annotations: [], orphanedIds: [] };

  const annotations: PageAnnotation[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const read = await listAnnotations({
      client,
      path: { article_id: article.id },
      query: { limit: PAGE, ...(cursor ? { cursor } : {}) },
      headers: { Accept: W3C_ACCEPT },
    }).catch(networkError);
    const failed = failure(read, 'Reading the annotations failed');
    if (failed) return failed;
    const { items, next } = w3cPage(read.data);
    for (const item of items) {
      const annotation = fromW3C(item);
      if (annotation) annotations.push(annotation);
    }
    cursor = next ? new URL(next).searchParams.get('cursor') : null;
    if (!cursor) break;
  }

  // The W3C body carries every field of the kind, but not the anchor (orphaned or not) nor whether a rating waits
  // for review after the words changed: those come from the native JSON of the same annotations.
  const orphanedIds: string[] = [];
  const review = new Map<string, string | null>();
  cursor = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const read = await listAnnotations({
      client,
      path: { article_id: article.id },
      query: { limit: PAGE, ...(cursor ? { cursor } : {}) },
    }).catch(networkError);
    const failed = failure(read, 'Reading the annotations failed');
    if (failed) return failed;
    const body = read.data as AnnotationPage;
    for (const item of body.items) {
      if (item.anchor.status === 'orphaned') orphanedIds.push(item.id);
      if (item.needs_review) review.set(item.id, item.previous_quote ?? null);
    }
    cursor = body.next_cursor;
    if (!cursor) break;
  }
  for (const annotation of annotations) {
    if (review.has(annotation.id)) annotation.review = { previousQuote: review.get(annotation.id) ?? null };
  }
  return { ok: true, article, annotations, orphanedIds };
}

/** Items and next page of an AnnotationCollection (first page embedded) or an AnnotationPage. */
function w3cPage(document: unknown): { items: unknown[]; next: string | null } {
  const page = isObject(document) && isObject(document.first) ? document.first : document;
  if (!isObject(page)) return { items: [], next: null };
  return { items: Array.isArray(page.items) ? page.items : [], next: typeof page.next === 'string' ? page.next : null };
}

/** Creates one annotation from a W3C document (Content-Type application/ld+json), answered in W3C too. */
export async function create(settings: Settings, articleId: string, document: object): Promise<Created> {
  const created = await createAnnotations({
    client: clientFor(settings),
    path: { article_id: articleId },
    // The W3C shape is accepted on write (see the operation's description); the generated type is the native one.
    body: document as never,
    headers: { 'Content-Type': 'application/ld+json', Accept: W3C_ACCEPT },
  }).catch(networkError);
  const failed = failure(created, 'Factmark did not store it');
  if (failed) return failed;
  const annotation = fromW3C(created.data);
  if (!annotation) return { ok: false, error: 'The service answered with something that is not a W3C annotation' };
  return { ok: true, annotation };
}

function networkError(error: unknown): Answer {
  return { error, response: undefined };
}
