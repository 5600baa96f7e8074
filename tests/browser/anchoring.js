// Browser side of the anchoring test: what a reader's extension does with Factmark's W3C annotations.
// Bundled by esbuild (driver.mjs) into an IIFE exposing `window.factmark`; the driver calls `run(config)`.
import {
  createTextPositionSelectorMatcher,
  createTextQuoteSelectorMatcher,
  describeTextPosition,
  describeTextQuote,
} from '@apache-annotator/dom';

const W3C_ACCEPT = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"';
const ANNO_CONTEXT = 'http://www.w3.org/ns/anno.jsonld';
const FACTMARK_FIELDS = 'https://factmark.dev/ns#fields';

// Renders `text` into <pre id="article"> as many text nodes, some bare and adjacent, some wrapped in inline
// elements, cut at irregular code point boundaries: quotes then span several nodes, as on a real page. Built with
// DOM calls, never HTML, so CR, NBSP and the rest reach the DOM unchanged.
function render(text) {
  const pre = document.getElementById('article');
  pre.replaceChildren();
  const points = Array.from(text);
  const wrappers = [null, 'span', null, 'em', 'b', null, 'mark'];
  for (let i = 0, n = 0; i < points.length; n += 1) {
    const size = 3 + ((n * 7) % 17);
    const node = document.createTextNode(points.slice(i, i + size).join(''));
    const tag = wrappers[n % wrappers.length];
    if (tag) {
      const element = document.createElement(tag);
      element.append(node);
      pre.append(element);
    } else {
      pre.append(node);
    }
    i += size;
  }
  return pre;
}

// Offsets of a Range within `scope`, counted independently of Annotator: UTF-16 code units and code points.
function offsets(scope, range) {
  const before = document.createRange();
  before.setStart(scope, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const head = before.toString();
  const body = range.toString();
  return {
    text: body,
    utf16: [head.length, head.length + body.length],
    codepoint: [Array.from(head).length, Array.from(head).length + Array.from(body).length],
  };
}

// A Range over the `occurrence`-th (0-based) `quote` in `scope`'s text, built by walking its text nodes.
function rangeOf(scope, quote, occurrence) {
  const text = scope.textContent;
  let at = -1;
  for (let n = 0; n <= occurrence; n += 1) {
    at = text.indexOf(quote, at + 1);
    if (at < 0) throw new Error(`occurrence ${occurrence} of ${JSON.stringify(quote)} not in the page`);
  }
  const [start, end] = [at, at + quote.length];
  const range = document.createRange();
  const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
  let seen = 0;
  let startSet = false;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const length = node.data.length;
    if (!startSet && start < seen + length) {
      range.setStart(node, start - seen);
      startSet = true;
    }
    if (startSet && end <= seen + length) {
      range.setEnd(node, end - seen);
      break;
    }
    seen += length;
  }
  return range;
}

function countTextNodes(scope) {
  const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
  let count = 0;
  while (walker.nextNode()) count += 1;
  return count;
}

async function all(matches) {
  const found = [];
  for await (const match of matches) found.push(match);
  return found;
}

async function call(url, init) {
  const response = await fetch(url, init);
  const body = await response.text();
  let json = null;
  try {
    json = JSON.parse(body);
  } catch {
    // reported as text
  }
  return { status: response.status, contentType: response.headers.get('content-type'), body: json ?? body, url };
}

async function anchor(scope, annotation) {
  const selectors = [].concat(annotation.target.selector);
  const quote = selectors.find((s) => s.type === 'TextQuoteSelector');
  const position = selectors.find((s) => s.type === 'TextPositionSelector');
  const quoteRanges = await all(createTextQuoteSelectorMatcher(quote)(scope));
  const positionRanges = await all(createTextPositionSelectorMatcher(position)(scope));
  return {
    id: annotation.id,
    canonical: annotation.canonical,
    motivation: annotation.motivation,
    kind: [].concat(annotation.body).find((body) => body[FACTMARK_FIELDS])?.[FACTMARK_FIELDS]?.kind,
    quoteSelector: quote,
    positionSelector: position,
    // Each match: Range.toString(), the offsets measured here, and Annotator's own description of the Range.
    quoteMatches: await Promise.all(
      quoteRanges.map(async (r) => ({ ...offsets(scope, r), described: await describeTextPosition(r, scope) })),
    ),
    positionMatches: positionRanges.map((r) => offsets(scope, r)),
  };
}

async function create(scope, config, article, pick) {
  const range = rangeOf(scope, pick.quote, pick.occurrence ?? 0);
  const quoteSelector = await describeTextQuote(range, scope);
  const positionSelector = await describeTextPosition(range, scope);
  const choices = { both: [quoteSelector, positionSelector], quote: quoteSelector, position: positionSelector };
  const selector = choices[pick.selectors];
  const document_ = {
    '@context': ANNO_CONTEXT,
    type: 'Annotation',
    ...pick.document,
    target: { source: article.url, selector },
  };
  const headers = { Authorization: `Bearer ${config.key}` };
  const posted = await call(`${config.service}/v1/articles/${config.articleId}/annotations`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/ld+json', Accept: W3C_ACCEPT },
    body: JSON.stringify(document_),
  });
  let stored = null;
  if (posted.status === 201 && posted.body?.canonical) {
    const id = posted.body.canonical.replace('urn:uuid:', '');
    stored = await call(`${config.service}/v1/annotations/${id}`, {
      headers: { ...headers, Accept: 'application/json' },
    });
  }
  const described = { quoteSelector, positionSelector };
  return { name: pick.name, range: offsets(scope, range), ...described, sent: document_, posted, stored };
}

async function run(config) {
  const headers = { Authorization: `Bearer ${config.key}` };
  const article = await call(`${config.service}/v1/articles/${config.articleId}`, {
    headers: { ...headers, Accept: 'application/json' },
  });
  if (article.status !== 200) return { error: 'GET article failed', article };
  const text = article.body.text;
  const scope = render(text);
  const report = {
    userAgent: navigator.userAgent,
    textContentEqualsArticle: scope.textContent === text,
    textNodes: countTextNodes(scope),
    length: { utf16: text.length, codepoint: Array.from(text).length },
    pages: [],
    anchored: [],
    created: [],
  };
  // The W3C collection, then each following page.
  const collection = await call(`${config.service}/v1/articles/${config.articleId}/annotations`, {
    headers: { ...headers, Accept: W3C_ACCEPT },
  });
  report.collection = {
    status: collection.status,
    contentType: collection.contentType,
    type: collection.body?.type,
    total: collection.body?.total,
  };
  if (collection.status !== 200) return { ...report, error: 'GET W3C collection failed', collection };
  let page = collection.body.first;
  while (page) {
    report.pages.push({ id: page.id, type: page.type, count: page.items.length });
    for (const annotation of page.items) report.anchored.push(await anchor(scope, annotation));
    if (!page.next) break;
    const next = await call(page.next, { headers: { ...headers, Accept: W3C_ACCEPT } });
    if (next.status !== 200) return { ...report, error: 'GET next page failed', next };
    page = next.body;
  }
  for (const pick of config.picks) report.created.push(await create(scope, config, article.body, pick));
  return report;
}

window.factmark = { run };
