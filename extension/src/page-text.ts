// The page's text as one string, for tolerant search: every visible text node under <body> in document order, with
// a line break put between text in different blocks (paragraphs, list items, headings, <br>), which a page's HTML
// often leaves out ("</p><p>") but the stored article text has. Offsets into that string map back to DOM positions.
// Highlighting only splits and wraps text nodes, so the string (and offsets into it) stay the same across highlights.
import { normalise, type Normalised } from './text';

const SKIPPED = 'script, style, noscript, template, textarea, select, [hidden], #factmark-ui';
const BLOCKS =
  'address, article, aside, blockquote, dd, div, dl, dt, figcaption, figure, footer, form, h1, h2, h3, h4, h5, h6, ' +
  'header, hr, li, main, nav, ol, p, pre, section, table, td, th, tr, ul, body';

interface TextNodes {
  /** The text, with '\n' between blocks. */
  raw: string;
  nodes: Text[];
  /** starts[k]: index in `raw` of nodes[k]'s first character. */
  starts: number[];
}

export interface PageText extends TextNodes {
  index: Map<Text, number>;
  normalised: Normalised;
}

/** The page's text, with its normalised form for searching: one walk and one normalisation, linear in the text. */
export function readPage(root: HTMLElement = document.body): PageText {
  const text = walk(root);
  return { ...text, index: new Map(text.nodes.map((node, k) => [node, k])), normalised: normalise(text.raw) };
}

/** Walks the body once: O(text nodes · tree depth). */
function walk(root: HTMLElement): TextNodes {
  const nodes: Text[] = [];
  const starts: number[] = [];
  let raw = '';
  let lastBlock: Element | null = null;
  let pendingBreak = false;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node instanceof Element && node.matches(SKIPPED) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node instanceof Element) {
      if (node.tagName === 'BR') pendingBreak = true;
      continue;
    }
    const text = node as Text;
    if (!text.data) continue;
    const block = text.parentElement?.closest(BLOCKS) ?? null;
    if ((pendingBreak || block !== lastBlock) && raw) raw += '\n';
    pendingBreak = false;
    lastBlock = block;
    starts.push(raw.length);
    nodes.push(text);
    raw += text.data;
  }
  return { raw, nodes, starts };
}

/** The raw offset of a DOM boundary point, or null when it is not in a text node this map knows. */
export function rawOffset(page: PageText, container: Node, offset: number): number | null {
  if (container instanceof Text) {
    const k = page.index.get(container);
    return k === undefined ? null : page.starts[k] + offset;
  }
  // An element boundary: the next text node at or after it.
  const child = container.childNodes[offset] ?? null;
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  walker.currentNode = child ?? container;
  const next = child instanceof Text ? child : (walker.nextNode() as Text | null);
  const k = next ? page.index.get(next) : undefined;
  return k === undefined ? null : page.starts[k];
}

/** A Range over raw [start, end), built from a fresh walk (the DOM may have been split since `page` was read):
 * O(text nodes) per highlight, so a page with A annotations costs O(A · text nodes) to highlight. */
export function rangeOf(start: number, end: number, root: HTMLElement = document.body): Range | null {
  const fresh = walk(root);
  const begin = locate(fresh, start, false);
  const finish = locate(fresh, end, true);
  if (!begin || !finish) return null;
  const range = document.createRange();
  range.setStart(begin[0], begin[1]);
  range.setEnd(finish[0], finish[1]);
  return range;
}

/** The text node and offset of raw index `at`; an end boundary stays in the node before a block break. */
function locate(page: TextNodes, at: number, isEnd: boolean): [Text, number] | null {
  let low = 0;
  let high = page.starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (isEnd ? page.starts[middle] < at : page.starts[middle] <= at) low = middle;
    else high = middle - 1;
  }
  const node = page.nodes[low];
  if (!node) return null;
  const offset = at - page.starts[low];
  if (offset <= node.data.length) return [node, Math.max(0, offset)];
  // `at` is a block break right after this node: a start moves into the next node, an end stays here.
  return isEnd ? [node, node.data.length] : page.nodes[low + 1] ? [page.nodes[low + 1], 0] : null;
}

/** Raw span of normalised span [start, end). */
export function rawSpan(page: PageText, start: number, end: number): [number, number] {
  return [page.normalised.origin[start], page.normalised.origin[end - 1] + 1];
}
