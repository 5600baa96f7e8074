// The page's text as one string, for tolerant search: every visible text node under <body> in document order, with
// a line break put between text in different blocks (paragraphs, list items, headings, <br>), which a page's HTML
// often leaves out ("</p><p>") but the stored article text has. Offsets into that string map back to DOM positions.
// Highlighting only splits and wraps text nodes, so the string (and offsets into it) stay the same across highlights.
import { normalise, type Normalised } from './text';

// Tag names, compared directly: this walk runs once per highlight, so no selector matching per node.
const SKIPPED = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'TEXTAREA', 'SELECT']);
const BLOCKS = new Set(
  ('ADDRESS ARTICLE ASIDE BLOCKQUOTE BODY DD DIV DL DT FIGCAPTION FIGURE FOOTER FORM H1 H2 H3 H4 H5 H6 HEADER HR ' +
    'LI MAIN NAV OL P PRE SECTION TABLE TD TH TR UL').split(' '),
);

function skipped(element: Element): boolean {
  return SKIPPED.has(element.tagName) || element.hasAttribute('hidden') || element.id === 'factmark-ui';
}

/** The nearest block ancestor, cached per element for the duration of one walk. */
function blockOf(element: Element | null, cache: Map<Element, Element | null>): Element | null {
  if (!element) return null;
  const known = cache.get(element);
  if (known !== undefined) return known;
  const block = BLOCKS.has(element.tagName) ? element : blockOf(element.parentElement, cache);
  cache.set(element, block);
  return block;
}

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

/** Walks the body once: O(nodes), each element's block ancestor found once. */
function walk(root: HTMLElement): TextNodes {
  const nodes: Text[] = [];
  const starts: number[] = [];
  let raw = '';
  let lastBlock: Element | null = null;
  let pendingBreak = false;
  const blocks = new Map<Element, Element | null>();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node.nodeType === Node.ELEMENT_NODE && skipped(node as Element) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType === Node.ELEMENT_NODE) {
      if ((node as Element).tagName === 'BR') pendingBreak = true;
      continue;
    }
    const text = node as Text;
    if (!text.data) continue;
    const block = blockOf(text.parentElement, blocks);
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

/**
 * A Range over raw [start, end) whose ends are whole text nodes: the nodes at the two ends are split here (and
 * `page.nodes`/`starts` updated), so Annotator's highlightText splits nothing and the next range is found in the
 * same index. O(log nodes) to find the ends plus the array insertions: highlighting A annotations costs
 * O(A · nodes) integer moves, never another walk of the page.
 */
export function rangeOf(page: PageText, start: number, end: number): Range | null {
  const first = splitAt(page, start, false);
  const last = splitAt(page, end, true);
  if (first === null || last === null || last < first) return null;
  const range = document.createRange();
  range.setStart(page.nodes[first], 0);
  range.setEnd(page.nodes[last], page.nodes[last].data.length);
  return range;
}

/** The index of the node that starts (or, for an end, ends) at raw offset `at`, splitting a node if needed. */
function splitAt(page: PageText, at: number, isEnd: boolean): number | null {
  const found = locate(page, at, isEnd);
  if (!found) return null;
  const [node, offset] = found;
  let k = page.index.get(node)!;
  if (offset > 0 && offset < node.data.length) {
    const rest = node.splitText(offset);
    page.nodes.splice(k + 1, 0, rest);
    page.starts.splice(k + 1, 0, page.starts[k] + offset);
    for (let i = k + 1; i < page.nodes.length; i += 1) page.index.set(page.nodes[i], i);
    return isEnd ? k : k + 1;
  }
  if (!isEnd && offset === node.data.length) k += 1;
  if (isEnd && offset === 0) k -= 1;
  return k >= 0 && k < page.nodes.length ? k : null;
}

/** The text node and offset of raw index `at`; an end boundary stays in the node before a block break. */
function locate(page: PageText, at: number, isEnd: boolean): [Text, number] | null {
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
