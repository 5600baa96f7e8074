// Describes what the reader selected as W3C selectors of the *stored* article text, the text Factmark's offsets and
// quotes refer to. Apache Annotator describes the selection within the page (describeTextQuote); the page's text is
// not the stored text (a byline, an ad, NBSP or curly quotes may differ), so the described quote is looked up in the
// stored text, with the page's context around the selection deciding between occurrences, and the selectors sent
// are the stored text's own: its exact quote, 32 code points of prefix and suffix, and the code point offsets.
import { describeTextQuote } from '@apache-annotator/dom';

import type { PositionSelector, QuoteSelector } from './model';
import { rawOffset, type PageText } from './page-text';
import { codePoints, contextAfter, contextBefore, normalise, normaliseQuote, search } from './text';

export interface Described {
  quote: QuoteSelector;
  position: PositionSelector;
  /** The selection's span of the page text, to highlight once created. */
  pageStart: number;
  pageEnd: number;
}

export class SelectionError extends Error {}

export async function describeSelection(range: Range, page: PageText, stored: string): Promise<Described> {
  if (range.collapsed || !range.toString().trim()) throw new SelectionError('Select some text of the article first.');
  const pageStart = rawOffset(page, range.startContainer, range.startOffset);
  const pageEnd = rawOffset(page, range.endContainer, range.endOffset);
  if (pageStart === null || pageEnd === null) throw new SelectionError('The selection is not in the page text.');
  const described = await describeTextQuote(range, document.body);
  const wanted = normaliseQuote(described.exact);
  const storedText = normalise(stored);
  // The page's own context (wider than Annotator's minimal prefix/suffix) decides between occurrences.
  const found = search(
    storedText.text,
    wanted,
    page.raw.slice(Math.max(0, pageStart - 64), pageStart),
    page.raw.slice(pageEnd, pageEnd + 64),
  );
  if (found.status === 'missing') {
    throw new SelectionError(
      `"${short(wanted)}" is not in the article text Factmark has for this page (a byline, an advertisement or ` +
        'text the newsroom changed since it was stored cannot be marked).',
    );
  }
  if (found.status === 'ambiguous') {
    throw new SelectionError(
      `"${short(wanted)}" occurs ${found.candidates.length} times in the stored article and the page around your ` +
        'selection does not tell which: select a few more words.',
    );
  }
  const start = storedText.origin[found.match.start];
  const end = storedText.origin[found.match.end - 1] + 1;
  return {
    quote: {
      type: 'TextQuoteSelector',
      exact: stored.slice(start, end),
      prefix: contextBefore(stored, start),
      suffix: contextAfter(stored, end),
    },
    position: { type: 'TextPositionSelector', start: codePoints(stored, start), end: codePoints(stored, end) },
    pageStart,
    pageEnd,
  };
}

function short(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
