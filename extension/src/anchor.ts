// Finds where an annotation's W3C selectors point in the page, as a span of the page text (page-text.ts):
//   1. Apache Annotator's TextQuoteSelector matcher (exact, with the stored prefix and suffix): a page that renders
//      the article text as it is stored matches here;
//   2. the same quote and context compared tolerantly (text.ts: whitespace, NBSP, curly quotes), for pages whose
//      markup differs from the stored text (links, emphasis, a byline or an ad between paragraphs);
//   3. Apache Annotator's TextPositionSelector matcher, accepted only when the text it selects is the quote;
//   4. when the quote occurs several times with equally good context (a phrase repeated in a formulaic story), the
//      stored text decides: the annotation's TextPositionSelector names the k-th of n such occurrences there, and
//      if the page has n of them too, it is the page's k-th.
// Anything else is not found: the annotation is listed, never highlighted at a guess.
import { createTextPositionSelectorMatcher, createTextQuoteSelectorMatcher } from '@apache-annotator/dom';

import type { PageAnnotation } from './model';
import { rawOffset, rawSpan, type PageText } from './page-text';
import { normalise, normaliseQuote, type Normalised, search, type Found, utf16Index } from './text';

/** The article's stored text (what offsets refer to), normalised once per page. */
export interface StoredText {
  raw: string;
  normalised: Normalised;
}

export type Anchoring =
  | { found: true; start: number; end: number; by: 'quote' | 'tolerant quote' | 'position' }
  | { found: false; reason: string };

export async function anchor(annotation: PageAnnotation, page: PageText, stored: StoredText): Promise<Anchoring> {
  const { exact, prefix = '', suffix = '' } = annotation.quote;
  const exactMatches = await firstMatches(createTextQuoteSelectorMatcher(annotation.quote)(document.body), 2);
  if (exactMatches.length === 1) {
    const span = spanOf(page, exactMatches[0]);
    if (span) return { found: true, ...span, by: 'quote' };
  }
  const wanted = normaliseQuote(exact);
  const result = search(page.normalised.text, wanted, prefix, suffix);
  if (result.status === 'found') {
    const [start, end] = rawSpan(page, result.match.start, result.match.end);
    return { found: true, start, end, by: 'tolerant quote' };
  }
  if (annotation.position) {
    const [range] = await firstMatches(createTextPositionSelectorMatcher(annotation.position)(document.body), 1);
    const span = range ? spanOf(page, range) : null;
    if (span && normaliseQuote(page.raw.slice(span.start, span.end)) === wanted) {
      return { found: true, ...span, by: 'position' };
    }
    if (result.status === 'ambiguous') {
      const kth = sameOccurrence(result.candidates, annotation.position.start, wanted, prefix, suffix, stored);
      if (kth) {
        const [start, end] = rawSpan(page, kth.start, kth.end);
        return { found: true, start, end, by: 'position' };
      }
    }
  }
  return {
    found: false,
    reason:
      result.status === 'missing'
        ? 'its text is not in this page'
        : `its text occurs ${result.candidates.length} times in this page and the context does not tell which`,
  };
}

async function firstMatches(matches: AsyncGenerator<Range>, limit: number): Promise<Range[]> {
  const found: Range[] = [];
  try {
    for await (const range of matches) {
      found.push(range);
      if (found.length >= limit) break;
    }
  } catch {
    // Annotator throws on a position beyond the page's end: that selector selects nothing here.
  }
  return found;
}

function spanOf(page: PageText, range: Range): { start: number; end: number } | null {
  const start = rawOffset(page, range.startContainer, range.startOffset);
  const end = rawOffset(page, range.endContainer, range.endOffset);
  return start === null || end === null || end <= start ? null : { start, end };
}

/** The normalised text of a raw span, as shown in the side panel and compared in tests. */
export function spanText(page: PageText, start: number, end: number): string {
  return normalise(page.raw.slice(start, end)).text.trim();
}

/** The page's candidate that is, among equally good occurrences, at the rank the annotation's own occurrence has in
 * the stored text; null unless both texts have the same number of them. O(stored text) plus the candidates. */
function sameOccurrence(
  inPage: Found[],
  start: number,
  wanted: string,
  prefix: string,
  suffix: string,
  stored: StoredText,
): Found | null {
  const there = search(stored.normalised.text, wanted, prefix, suffix);
  if (there.status !== 'ambiguous' || there.candidates.length !== inPage.length) return null;
  const at = utf16Index(stored.raw, start);
  // The quote was trimmed for the search: its own occurrence starts at or just after `at`.
  const rank = there.candidates.findIndex((c) => {
    const from = stored.normalised.origin[c.start];
    return from >= at && stored.raw.slice(at, from).trim() === '';
  });
  return rank < 0 ? null : inPage[rank];
}
