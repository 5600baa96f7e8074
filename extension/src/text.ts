// Text comparison that tolerates what a page's markup does to an article's stored text: whitespace runs (line
// breaks, indentation, paragraph gaps) and non-breaking or thin spaces read as one space, curly quotes as straight
// ones, soft hyphens and zero-width spaces as nothing. Everything else (letters, digits, dashes, emoji, combining
// marks) must match exactly. Pure functions, no DOM.

const QUOTES: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u2032': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u201f': '"',
  '\u2033': '"',
  '\u00ab': '"',
  '\u00bb': '"',
};
const INVISIBLE = /[\u00ad\u200b\u2060\ufeff]/;
const SPACE = /\s/; // JavaScript's \s: ASCII whitespace, NBSP, U+2000–U+200A, U+202F, U+205F, U+3000, line separators

/** `source` normalised, with `origin[i]` the index (UTF-16) in `source` of normalised character `i`. */
export interface Normalised {
  text: string;
  origin: number[];
}

/** One pass over `source`, linear in its length. */
export function normalise(source: string): Normalised {
  let text = '';
  const origin: number[] = [];
  let lastWasSpace = false;
  for (let i = 0; i < source.length; i += 1) {
    const char = source[i];
    if (INVISIBLE.test(char)) continue;
    if (SPACE.test(char)) {
      if (!lastWasSpace) {
        text += ' ';
        origin.push(i);
      }
      lastWasSpace = true;
      continue;
    }
    lastWasSpace = false;
    text += QUOTES[char] ?? char;
    origin.push(i);
  }
  return { text, origin };
}

/** The normalised form of a quote to search for: leading and trailing whitespace do not matter. */
export function normaliseQuote(quote: string): string {
  return normalise(quote).text.trim();
}

/** Without any whitespace: context is compared this way, so a paragraph gap the page lacks costs nothing. */
export function compact(text: string): string {
  return normalise(text).text.replace(/ /g, '');
}

const MAX_OCCURRENCES = 1000;
const CONTEXT = 64;

export interface Found {
  /** Normalised span [start, end) in the haystack. */
  start: number;
  end: number;
  /** How many context characters agreed; -1 when there was no context to compare. */
  score: number;
}

export type Search =
  | { status: 'found'; match: Found }
  | { status: 'missing' }
  | { status: 'ambiguous'; candidates: Found[] };

/**
 * Finds normalised `exact` in `haystack` (already normalised), choosing among occurrences by how much of the given
 * context agrees (compared without whitespace, from the quote outwards). Unique occurrence → found; several → the one
 * with the strictly best context, else ambiguous (the caller decides, never this function).
 *
 * Cost: at most MAX_OCCURRENCES occurrences are considered (indexOf is linear in the haystack each time), each
 * scored over at most CONTEXT characters on each side: O(MAX_OCCURRENCES · (|haystack| + CONTEXT)) in the worst case,
 * O(|haystack|) for a quote that occurs a few times.
 */
export function search(haystack: string, exact: string, prefix: string, suffix: string): Search {
  if (!exact) return { status: 'missing' };
  const before = compact(prefix);
  const after = compact(suffix);
  const found: Found[] = [];
  for (let at = haystack.indexOf(exact); at >= 0 && found.length < MAX_OCCURRENCES; ) {
    found.push({ start: at, end: at + exact.length, score: score(haystack, at, at + exact.length, before, after) });
    at = haystack.indexOf(exact, at + 1);
  }
  if (found.length === 0) return { status: 'missing' };
  if (found.length === 1) return { status: 'found', match: found[0] };
  const best = Math.max(...found.map((f) => f.score));
  const top = found.filter((f) => f.score === best);
  return top.length === 1 && best > 0 ? { status: 'found', match: top[0] } : { status: 'ambiguous', candidates: top };
}

function score(haystack: string, start: number, end: number, before: string, after: string): number {
  if (!before && !after) return -1;
  const left = compact(haystack.slice(Math.max(0, start - CONTEXT), start));
  const right = compact(haystack.slice(end, end + CONTEXT));
  let agreed = 0;
  for (let i = 1; i <= Math.min(before.length, left.length) && before.at(-i) === left.at(-i); i += 1) agreed += 1;
  for (let i = 0; i < Math.min(after.length, right.length) && after[i] === right[i]; i += 1) agreed += 1;
  return agreed;
}

/** Code points before UTF-16 index `index` of `text` (the W3C unit of TextPositionSelector). */
export function codePoints(text: string, index: number): number {
  let count = 0;
  for (let i = 0; i < index; i += 1) {
    const unit = text.charCodeAt(i);
    if (!(unit >= 0xdc00 && unit <= 0xdfff && i > 0 && isHigh(text.charCodeAt(i - 1)))) count += 1;
  }
  return count;
}

function isHigh(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/** Up to `count` code points of `text` before (or after) UTF-16 index `index`. */
export function contextBefore(text: string, index: number, count = 32): string {
  return Array.from(text.slice(Math.max(0, index - 2 * count), index)).slice(-count).join('');
}

export function contextAfter(text: string, index: number, count = 32): string {
  return Array.from(text.slice(index, index + 2 * count)).slice(0, count).join('');
}

/** The UTF-16 index of code point `count` in `text` (its length when `text` is shorter). */
export function utf16Index(text: string, count: number): number {
  let index = 0;
  for (let seen = 0; seen < count && index < text.length; seen += 1) {
    index += isHigh(text.charCodeAt(index)) && index + 1 < text.length ? 2 : 1;
  }
  return index;
}
