// Unit and property tests of the extension's pure logic (no DOM): tolerant text comparison and the prefill of
// required fields. Run by `npm test` (test/run.mjs bundles this file with esbuild and runs node's test runner).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseFigure, prefill } from '../src/prefill';
import { codePoints, compact, contextAfter, contextBefore, normalise, normaliseQuote, search, utf16Index } from '../src/text';

test('normalise collapses whitespace runs, straightens quotes and drops invisible characters', () => {
  const { text } = normalise('“The port\u00a0is\n\n  open,” he\u00adsaid\u200b.');
  assert.equal(text, '"The port is open," hesaid.');
});

test('every normalised character comes from the source character its origin names', () => {
  const pieces = ['a', 'Z', ' ', '\u00a0', '\n', '\r\n', '\u2019', '\u201c', '\u00ad', '🚢', '🇱🇻', 'e\u0301', '4,500', '—'];
  let seed = 7;
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let round = 0; round < 300; round += 1) {
    const source = Array.from({ length: random(40) }, () => pieces[random(pieces.length)]).join('');
    const { text, origin } = normalise(source);
    assert.equal(origin.length, text.length);
    for (let i = 0; i < text.length; i += 1) {
      const from = source[origin[i]];
      const same = from === text[i] || (text[i] === ' ' && /\s/.test(from)) || normalise(from).text === text[i];
      assert.ok(same, `${JSON.stringify(source)}: character ${i} ${JSON.stringify(text[i])} from ${JSON.stringify(from)}`);
      if (i > 0) assert.ok(origin[i] > origin[i - 1], 'origins increase');
    }
  }
});

test('a quote rendered with other whitespace and quotes is found at the same place, the repeated one by context', () => {
  const stored = 'Officials said the port is open. Traders said "the port is open" only for now.';
  const page = normalise('Officials said the port\u00a0is open.\n\nTraders said “the port is open” only for now.').text;
  const found = search(page, normaliseQuote('the port is open'), 'Traders said "', '" only for now.');
  assert.equal(found.status, 'found');
  assert.equal(found.status === 'found' && page.slice(found.match.start, found.match.end), 'the port is open');
  assert.ok(found.status === 'found' && found.match.start > page.indexOf('Traders'));
  assert.equal(search(page, normaliseQuote('the vessels'), '', '').status, 'missing');
  assert.deepEqual(compact(stored), compact(stored.replace(/ /g, '\n')));
});

test('equal occurrences without telling context are ambiguous, never a guess', () => {
  const found = search('it is open. it is open.', 'it is open', 'nothing like', 'this at all');
  assert.equal(found.status, 'ambiguous');
});

test('code points and context count astral characters once', () => {
  const text = '🇱🇻 Riga 🚢 port';
  assert.equal(codePoints(text, text.indexOf('port')), Array.from('🇱🇻 Riga 🚢 ').length);
  assert.equal(contextBefore(text, text.indexOf('port'), 3), ' 🚢 ');
  assert.equal(contextAfter(text, 0, 2), '🇱🇻');
  for (let i = 0; i <= text.length; i += 1) {
    if (i > 0 && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff) continue; // inside a pair
    assert.equal(utf16Index(text, codePoints(text, i)), i, `UTF-16 ${i} round-trips through code points`);
  }
});

test('a figure is read from the words around its number', () => {
  assert.deepEqual(parseFigure('about 4,500 tonnes of grain'), {
    value: 4500,
    unit: 'tonnes',
    subject: 'grain',
    qualifier: 'about',
    approximate: true,
  });
  assert.deepEqual(parseFigure('4\u00a0500\u00a0tonnes'), { value: 4500, unit: 'tonnes' });
  assert.deepEqual(parseFigure('12%'), { value: 12, unit: 'percent' });
  assert.deepEqual(parseFigure('1.2 million people'), { value: 1_200_000, unit: 'people' });
  assert.deepEqual(parseFigure('at least 300 ships'), { value: 300, unit: 'ships', qualifier: 'at_least' });
  assert.deepEqual(parseFigure('3,5 per cent'), { value: 3.5, unit: 'percent' });
  assert.equal(parseFigure('no number here'), null);
});

test('attributions and denials take source, denier and cue from the selection', () => {
  assert.deepEqual(prefill('attribution', 'Officials in Riga said'), { source: 'Officials in Riga', cue: 'said' });
  assert.deepEqual(prefill('attribution', 'according to the ministry'), { source: 'the ministry', cue: 'according to' });
  assert.deepEqual(prefill('attribution', 'said Jānis'), { cue: 'said' });
  assert.deepEqual(prefill('denial', 'The ministry dismissed'), { denier: 'The ministry', cue: 'dismissed' });
  assert.deepEqual(prefill('denial', 'has denied this'), { cue: 'has denied' });
});
