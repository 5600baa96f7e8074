// The shapes the extension's parts pass each other: annotations as the page needs them (read from the W3C
// representation), the messages between content script, service worker, options page and side panel.
import type { Attribution, Claim, Denial, Figure } from './generated/types.gen';

export const W3C_ACCEPT = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"';
export const ANNO_CONTEXT = 'http://www.w3.org/ns/anno.jsonld';
/** The Factmark body's key holding the kind and its own fields (see service/domain/w3c.py). */
export const FACTMARK_FIELDS = 'https://factmark.dev/ns#fields';

export const KINDS = ['claim', 'attribution', 'denial', 'figure'] as const;
export type Kind = (typeof KINDS)[number];

type Own<T> = Omit<T, 'kind' | 'id' | 'article_id' | 'anchor' | 'start' | 'end' | 'quote' | 'prefix' | 'suffix'>;
/** The kind's own fields, as the W3C body carries them (every field of every kind may be absent). */
export type KindFields = Partial<Own<Claim> & Own<Attribution> & Own<Denial> & Own<Figure>>;

export interface QuoteSelector {
  type: 'TextQuoteSelector';
  exact: string;
  prefix?: string;
  suffix?: string;
}

export interface PositionSelector {
  type: 'TextPositionSelector';
  start: number;
  end: number;
}

export interface PageAnnotation {
  id: string;
  kind: Kind;
  fields: KindFields;
  quote: QuoteSelector;
  position: PositionSelector | null;
  note: string | null;
  tags: string[];
  /** Set when re-anchoring changed the words a verdict or value was given for: it waits for a person. */
  review?: { previousQuote: string | null };
}

export interface StoredArticle {
  id: string;
  url: string;
  title: string | null;
  text: string;
}

/** A problem the user is shown: the service's `detail` when it sent one. */
export interface Failure {
  ok: false;
  error: string;
  status?: number;
}

export type Result<T> = ({ ok: true } & T) | Failure;

export type LiveState = 'connecting' | 'connected' | 'unavailable' | 'off';

export interface Settings {
  serviceUrl: string;
  apiKey: string;
}

export type Request =
  | { type: 'check'; settings: Settings }
  | { type: 'lookup'; urls: string[] }
  | { type: 'create'; articleId: string; document: Record<string, unknown> }
  | { type: 'live-state' };

export type Lookup = Result<{ article: StoredArticle | null; annotations: PageAnnotation[]; orphanedIds: string[] }>;
export type Created = Result<{ annotation: PageAnnotation }>;
export type Checked = Result<{ message: string }>;

/** Sent to a tab's content script. */
export type TabRequest =
  | { type: 'mark'; kind: Kind; fields?: KindFields }
  | { type: 'state' }
  | { type: 'refresh'; live?: LiveState }
  | { type: 'live'; live: LiveState };

export interface Orphan {
  id: string;
  kind: Kind;
  quote: string;
  reason: string;
}

export interface PageState {
  url: string;
  article: { id: string; title: string | null; url: string } | null;
  error: string | null;
  counts: Record<Kind, number>;
  highlighted: string[];
  orphans: Orphan[];
  live: LiveState;
}

/** Reads one W3C Annotation as Factmark serves it; null when it is not one of ours. */
export function fromW3C(document: unknown): PageAnnotation | null {
  if (!isObject(document)) return null;
  const canonical = typeof document.canonical === 'string' ? document.canonical : '';
  const id = canonical.startsWith('urn:uuid:') ? canonical.slice('urn:uuid:'.length) : null;
  const bodies = Array.isArray(document.body) ? document.body : [document.body];
  const own = bodies.find((body) => isObject(body) && isObject(body[FACTMARK_FIELDS]));
  const fields = isObject(own) ? own[FACTMARK_FIELDS] : null;
  const target = isObject(document.target) ? document.target : null;
  const selectors = target && Array.isArray(target.selector) ? target.selector : [];
  const quote = selectors.find((s) => isObject(s) && s.type === 'TextQuoteSelector') as QuoteSelector | undefined;
  const position = selectors.find((s) => isObject(s) && s.type === 'TextPositionSelector') as
    | PositionSelector
    | undefined;
  if (!id || !isObject(fields) || !quote || !KINDS.includes(fields.kind as Kind)) return null;
  const texts = (purpose: string) =>
    bodies.filter((b) => isObject(b) && b.purpose === purpose && typeof b.value === 'string').map((b) => b.value);
  return {
    id,
    kind: fields.kind as Kind,
    fields: fields as KindFields,
    quote,
    position: position ?? null,
    note: texts('commenting')[0] ?? null,
    tags: texts('tagging'),
  };
}

export function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
