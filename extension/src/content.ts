// Content script, on every page: asks the service worker for the page's article and annotations (by the page's URL
// and its <link rel=canonical>), anchors each one (anchor.ts), highlights it as
// <mark class="factmark" data-kind=… data-annotation-id=…> with Apache Annotator's highlightText, shows a card on
// hover or keyboard focus, keeps the list of what could not be anchored for the side panel, and marks a selection
// as a new annotation when the context menu or the side panel asks.
import { highlightText } from '@apache-annotator/dom';

import { anchor } from './anchor';
import { cardLines } from './card';
import {
  ANNO_CONTEXT,
  FACTMARK_FIELDS,
  type Created,
  type Kind,
  type KindFields,
  KINDS,
  type LiveState,
  type Lookup,
  type Orphan,
  type PageAnnotation,
  type PageState,
  type Request,
  type Result,
  type StoredArticle,
  type TabRequest,
} from './model';
import { type PageText, rangeOf, readPage } from './page-text';
import { normalise } from './text';
import { parseFigure, prefill, REQUIRED } from './prefill';
import { describeSelection, SelectionError } from './selection';
import { Overlay } from './ui';

interface Shown {
  annotation: PageAnnotation;
  remove: () => void;
}

let article: StoredArticle | null = null;
let lookupError: string | null = null;
let annotations: PageAnnotation[] = [];
let orphans: Orphan[] = [];
const shown = new Map<string, Shown>();
let overlay: Overlay | null = null;

function send<T>(request: Request): Promise<T> {
  return chrome.runtime.sendMessage(request) as Promise<T>;
}

function pageUrls(): string[] {
  const canonical = document.querySelector<HTMLLinkElement>('link[rel~="canonical" i][href]')?.href;
  return [...new Set([location.href, ...(canonical ? [canonical] : [])])];
}

/** `<html data-factmark="…">` says where the extension is (loading, annotated, not-stored, error): for people
 * debugging a page, and for tests that wait for the highlights. */
async function load(): Promise<void> {
  document.documentElement.dataset.factmark = 'loading';
  const found = await send<Lookup>({ type: 'lookup', urls: pageUrls() });
  if (article && readerIsBusy()) {
    // Re-highlighting rewraps text nodes, which would move a reader's selection or a mark being made: later.
    refreshSoon(500);
    return;
  }
  deferrals = 0;
  clearHighlights();
  if (!found.ok) {
    [article, annotations, orphans, lookupError] = [null, [], [], found.error];
  } else {
    [article, annotations, lookupError] = [found.article, found.annotations, null];
    await render(new Set(found.orphanedIds));
  }
  document.documentElement.dataset.factmark = lookupError ? 'error' : article ? 'annotated' : 'not-stored';
  announce();
}

/** Anchors every annotation first (on one reading of the page), then highlights: highlighting splits text nodes,
 * which the offsets into the page text survive. Nested and overlapping annotations nest their marks. */
async function render(orphanedIds: Set<string>): Promise<void> {
  orphans = [];
  if (!article) return;
  const page = readPage();
  const stored = { raw: article.text, normalised: normalise(article.text) };
  const anchored: Array<[PageAnnotation, number, number]> = [];
  for (const annotation of annotations) {
    if (orphanedIds.has(annotation.id)) {
      orphans.push(orphanOf(annotation, 'orphaned: the article was edited and its text was not found again'));
      continue;
    }
    const found = await anchor(annotation, page, stored);
    if (found.found) anchored.push([annotation, found.start, found.end]);
    else orphans.push(orphanOf(annotation, `not highlighted: ${found.reason}`));
  }
  // Longer spans first, so a figure inside a claim ends up the inner mark: hovering it shows the figure's card.
  anchored.sort((a, b) => b[2] - b[1] - (a[2] - a[1]));
  for (const [annotation, start, end] of anchored) highlight(annotation, page, start, end);
}

function orphanOf(annotation: PageAnnotation, reason: string): Orphan {
  return { id: annotation.id, kind: annotation.kind, quote: annotation.quote.exact, reason };
}

function highlight(annotation: PageAnnotation, page: PageText, start: number, end: number): void {
  const range = rangeOf(page, start, end);
  if (!range) return;
  const remove = highlightText(range, 'mark', {
    class: 'factmark',
    'data-kind': annotation.kind,
    'data-annotation-id': annotation.id,
  });
  const marks = marksOf(annotation.id);
  // One tab stop per annotation, on its first piece; the card says what it is.
  marks[0]?.setAttribute('tabindex', '0');
  // Read out beside the text (not instead of it, as aria-label would): what the card says.
  const said = cardLines(annotation, quoteOf).map((line) => `${line.label}: ${line.value}`);
  marks[0]?.setAttribute('aria-description', [`Factmark ${annotation.kind}`, ...said].join('. '));
  shown.set(annotation.id, { annotation, remove });
}

function marksOf(id: string): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>(`mark.factmark[data-annotation-id="${CSS.escape(id)}"]`)];
}

function clearHighlights(): void {
  activate(null);
  for (const { remove } of shown.values()) remove();
  shown.clear();
  document.body.normalize();
}

function quoteOf(id: string): string | null {
  return annotations.find((a) => a.id === id)?.quote.exact ?? null;
}

// ---------------------------------------------------------------- cards

let active: string | null = null;

function activate(mark: HTMLElement | null): void {
  const id = mark?.dataset.annotationId ?? null;
  if (id === active) return;
  for (const element of document.querySelectorAll('mark.factmark-active, mark.factmark-related')) {
    element.classList.remove('factmark-active', 'factmark-related');
  }
  active = id;
  const entry = id ? shown.get(id) : undefined;
  if (!mark || !entry) {
    overlay?.hideCard();
    return;
  }
  for (const element of marksOf(entry.annotation.id)) element.classList.add('factmark-active');
  const related = entry.annotation.fields.claim_id ?? entry.annotation.fields.target_id;
  if (related) for (const element of marksOf(related)) element.classList.add('factmark-related');
  overlay ??= new Overlay();
  overlay.showCard(entry.annotation, mark, quoteOf);
}

function markAt(target: EventTarget | null): HTMLElement | null {
  return target instanceof Element ? target.closest<HTMLElement>('mark.factmark') : null;
}

let leaving: number | undefined;
document.addEventListener('mouseover', (event) => {
  const mark = markAt(event.target);
  const onCard = event.target instanceof Element && event.target.id === 'factmark-ui';
  if (mark || onCard) window.clearTimeout(leaving);
  if (mark) activate(mark);
});
document.addEventListener('mouseout', (event) => {
  if (!markAt(event.target) && !(event.target instanceof Element && event.target.id === 'factmark-ui')) return;
  window.clearTimeout(leaving);
  leaving = window.setTimeout(() => {
    if (document.activeElement && markAt(document.activeElement)) activate(markAt(document.activeElement));
    else activate(null);
  }, 300);
});
document.addEventListener('focusin', (event) => activate(markAt(event.target)));
document.addEventListener('focusout', (event) => {
  if (markAt(event.target)) activate(null);
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && active) activate(null);
});
// A focused highlight scrolled into view by Tab keeps its card, placed again; a hovered one loses it.
window.addEventListener(
  'scroll',
  () => {
    const focused = markAt(document.activeElement);
    if (focused && focused.dataset.annotationId === active) {
      const entry = shown.get(active);
      if (entry) overlay?.showCard(entry.annotation, focused, quoteOf);
    } else {
      activate(null);
    }
  },
  { passive: true },
);

// ---------------------------------------------------------------- creating

async function mark(kind: Kind, given: KindFields | undefined): Promise<Result<{ id: string }>> {
  const fail = (error: string): Result<{ id: string }> => {
    (overlay ??= new Overlay()).say(error, 'error');
    return { ok: false, error };
  };
  if (!article) return fail(lookupError ?? 'This page is not in Factmark: only stored articles can be annotated.');
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0) return fail('Select some text of the article first.');
  let described;
  const page = readPage();
  try {
    described = await describeSelection(selection.getRangeAt(0), page, article.text);
  } catch (error) {
    if (error instanceof SelectionError) return fail(error.message);
    throw error;
  }
  const fields: KindFields = { ...prefill(kind, described.quote.exact), ...definedOnly(given ?? {}) };
  const required = REQUIRED[kind];
  if (required && (fields[required.field] === undefined || fields[required.field] === '')) {
    // The side panel asks in its own form; the context menu asks here.
    const answer = given ? null : window.prompt(`Factmark: ${required.question}`, '');
    if (answer === null || !answer.trim()) return fail(`Not marked: ${required.question}`);
    if (required.field === 'value') {
      const value = parseFigure(answer)?.value;
      if (value === undefined) return fail(`Not marked: "${answer}" is not a number.`);
      fields.value = value;
    } else {
      fields[required.field] = answer.trim();
    }
  }
  const annotation = w3cDocument(kind, fields, described.quote, described.position, article.url);
  const created = await send<Created>({ type: 'create', articleId: article.id, document: annotation });
  if (!created.ok) return fail(created.error);
  annotations.push(created.annotation);
  highlight(created.annotation, readPage(), described.pageStart, described.pageEnd);
  selection.removeAllRanges();
  overlay!.say(`Marked as ${kind}: “${described.quote.exact}”`, 'ok');
  announce();
  return { ok: true, id: created.annotation.id };
}

function definedOnly(fields: KindFields): KindFields {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== '')) as KindFields;
}

/** A W3C Annotation as Factmark reads it (service/domain/w3c.py): the Factmark body carries the kind's fields. */
function w3cDocument(
  kind: Kind,
  fields: KindFields,
  quote: object,
  position: object,
  source: string,
): Record<string, unknown> {
  const [motivation, purpose, value] = {
    claim: ['highlighting', 'describing', fields.statement ?? ''],
    attribution: ['identifying', 'identifying', fields.source ?? ''],
    denial: ['describing', 'describing', fields.denier ?? ''],
    figure: ['describing', 'describing', String(fields.value ?? '')],
  }[kind];
  return {
    '@context': ANNO_CONTEXT,
    type: 'Annotation',
    motivation,
    body: [
      {
        type: 'TextualBody',
        purpose,
        format: 'text/plain',
        value: value || (quote as { exact: string }).exact,
        [FACTMARK_FIELDS]: { kind, ...fields },
      },
    ],
    target: { source, selector: [quote, position] },
  };
}

// ---------------------------------------------------------------- the side panel and the service worker

let live: LiveState = 'off';

function state(): PageState {
  const counts = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  for (const { annotation } of shown.values()) counts[annotation.kind] += 1;
  return {
    url: location.href,
    article: article && { id: article.id, title: article.title, url: article.url },
    error: lookupError,
    counts,
    highlighted: [...shown.keys()],
    orphans,
    live,
  };
}

function announce(): void {
  chrome.runtime.sendMessage({ type: 'page-state', state: state() }).catch(() => {
    // No side panel open: nobody to tell.
  });
}

let refreshTimer: number | undefined;
let marking = 0;
let deferrals = 0;
const MAX_DEFERRALS = 6; // a selection left standing delays live updates by 3 s at most

/** Whether the reader is marking text, or (for a few seconds) has text selected: re-highlighting rewraps text
 * nodes, which would move the selection under the reader's hand, so a refresh waits a little. */
function readerIsBusy(): boolean {
  if (marking > 0) return true;
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || deferrals >= MAX_DEFERRALS) return false;
  deferrals += 1;
  return true;
}

function refreshSoon(delay: number): void {
  window.clearTimeout(refreshTimer);
  refreshTimer = window.setTimeout(() => (readerIsBusy() ? refreshSoon(500) : void load()), delay);
}
chrome.runtime.onMessage.addListener((message: TabRequest, _sender, reply) => {
  switch (message.type) {
    case 'mark':
      marking += 1;
      mark(message.kind, message.fields)
        .then(reply, (error: unknown) => reply({ ok: false, error: String(error) }))
        .finally(() => (marking -= 1));
      return true;
    case 'state':
      reply(state());
      return false;
    case 'refresh':
      if (message.live) live = message.live;
      refreshSoon(250); // several events in a burst (a batch) refresh once
      reply({ ok: true });
      return false;
    case 'live':
      live = message.live;
      announce();
      reply({ ok: true });
      return false;
  }
  return false;
});

send<LiveState>({ type: 'live-state' }).then((state) => (live = state), () => undefined);
void load();
