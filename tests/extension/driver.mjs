// Drives Debian's Chromium with the built Factmark extension loaded (--load-extension), through puppeteer-core
// (which never downloads a browser), and prints a JSON report on stdout for tests/test_extension.py to judge.
// Config (JSON on stdin): {chromium, extensionDir, serviceUrl, key, pageUrl, plainUrl, screenshot, hover, creations}.
// Exit 0 with a report; non-zero (with the reason on stderr) when the browser could not be driven at all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import puppeteer from 'puppeteer-core';

const config = JSON.parse(await new Promise((resolve) => {
  let input = '';
  process.stdin.on('data', (chunk) => (input += chunk));
  process.stdin.on('end', () => resolve(input));
}));
const started = performance.now();
const timings = {};
const mark = (name) => (timings[name] = Math.round(performance.now() - started));
const problems = [];
const report = { problems, timings };

// In the page: the article's text with whitespace and quote styles left out, so offsets can be compared with the
// stored text whatever the markup did; [data-extra] (byline, advertisement) is not article text.
const PAGE_HELPERS = () => {
  const compact = (s) =>
    s.replace(/[\u2018\u2019\u201a\u201b]/g, "'").replace(/[\u201c\u201d\u201e\u201f]/g, '"').replace(/[\s\u00ad\u200b\u2060\ufeff]/g, '');
  const articleNodes = (withExtras) => {
    const root = document.getElementById('article');
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (withExtras || !n.parentElement.closest('[data-extra]')) nodes.push(n);
    }
    return nodes;
  };
  window.__factmarkTest = {
    marks() {
      const nodes = articleNodes(false);
      const result = {};
      for (const markEl of document.querySelectorAll('mark.factmark')) {
        const id = markEl.dataset.annotationId;
        const entry = (result[id] ??= { kind: markEl.dataset.kind, text: '', pieces: 0, tabStops: 0, offset: null });
        entry.text += markEl.textContent;
        entry.pieces += 1;
        if (markEl.getAttribute('tabindex') === '0') entry.tabStops += 1;
        if (entry.offset === null) {
          const first = document.createTreeWalker(markEl, NodeFilter.SHOW_TEXT).nextNode();
          let before = '';
          for (const n of nodes) {
            if (n === first) break;
            before += n.data;
          }
          entry.offset = Array.from(compact(before)).length; // code points, as Python counts
          entry.inExtra = Boolean(markEl.closest('[data-extra]'));
        }
      }
      return result;
    },
    select(quote, occurrence) {
      const nodes = articleNodes(true);
      const text = nodes.map((n) => n.data).join('');
      let at = -1;
      for (let i = 0; i <= occurrence; i += 1) {
        at = text.indexOf(quote, at + 1);
        if (at < 0) throw new Error(`occurrence ${occurrence} of ${JSON.stringify(quote)} is not in the page`);
      }
      const range = document.createRange();
      let seen = 0;
      for (const n of nodes) {
        if (at >= seen && at <= seen + n.data.length && range.startContainer === document) range.setStart(n, at - seen);
        if (at + quote.length <= seen + n.data.length) {
          range.setEnd(n, at + quote.length - seen);
          break;
        }
        seen += n.data.length;
      }
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return selection.toString();
    },
    card() {
      const root = document.getElementById('factmark-ui')?.shadowRoot;
      const card = root?.querySelector('.card');
      return card && !card.hidden ? { text: card.innerText, id: card.dataset.annotationId } : null;
    },
    toast() {
      const toast = document.getElementById('factmark-ui')?.shadowRoot?.querySelector('.toast');
      return toast && !toast.hidden ? { text: toast.textContent, kind: toast.className } : null;
    },
    layout() {
      const boxes = [...document.querySelectorAll('#article > *')].map((e) => {
        const r = e.getBoundingClientRect();
        return [e.tagName, r.x, r.y, r.width, r.height];
      });
      return { boxes, height: document.documentElement.scrollHeight };
    },
    unwrap() {
      for (let m = document.querySelector('mark.factmark'); m; m = document.querySelector('mark.factmark')) {
        m.replaceWith(...m.childNodes);
      }
      document.body.normalize();
    },
  };
};

const userDataDir = mkdtempSync(join(tmpdir(), 'factmark-extension-'));
let browser;
let exitCode = 0;
try {
  browser = await puppeteer.launch({
    executablePath: config.chromium,
    headless: true,
    enableExtensions: true,
    userDataDir,
    defaultViewport: { width: 1000, height: 900 },
    timeout: 30_000,
    args: [
      `--disable-extensions-except=${config.extensionDir}`,
      `--load-extension=${config.extensionDir}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-component-update',
    ],
  });
  mark('launched');
  report.userAgent = await browser.userAgent();
  const workerTarget = await browser.waitForTarget(
    (t) => t.type() === 'service_worker' && t.url().endsWith('/background.js'),
    { timeout: 15_000 },
  );
  const worker = await workerTarget.worker();
  const extensionId = new URL(workerTarget.url()).host;
  report.extensionId = extensionId;
  const base = `chrome-extension://${extensionId}`;
  const watch = (page, name) => {
    page.on('pageerror', (error) => problems.push(`${name}: page error: ${error.stack ?? error}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${name}: console error: ${message.text()}`);
    });
  };

  // 1. The options page, filled in and saved through its form.
  const options = await browser.newPage();
  watch(options, 'options');
  await options.goto(`${base}/options.html`);
  await options.type('#service-url', config.serviceUrl);
  await options.type('#api-key', config.key);
  await options.click('#save');
  await options.waitForFunction(() => ['ok', 'error'].includes(document.getElementById('status').dataset.state), {
    timeout: 15_000,
  });
  report.options = await options.evaluate(() => ({
    status: document.getElementById('status').textContent,
    state: document.getElementById('status').dataset.state,
  }));
  report.options.stored = await worker.evaluate(() => chrome.storage.local.get(['serviceUrl', 'apiKey']));
  // A wrong key is reported as such.
  await options.evaluate(() => (document.getElementById('api-key').value = 'fmk_not_a_key'));
  await options.click('#save');
  await options.waitForFunction(() => document.getElementById('status').dataset.state === 'error', { timeout: 15_000 });
  report.options.wrongKey = await options.evaluate(() => document.getElementById('status').textContent);
  await options.evaluate((key) => (document.getElementById('api-key').value = key), config.key);
  await options.click('#save');
  await options.waitForFunction(() => document.getElementById('status').dataset.state === 'ok', { timeout: 15_000 });
  await options.close();
  mark('options');

  // 2. The article page: every annotation highlighted where it belongs.
  const page = await browser.newPage();
  watch(page, 'article page');
  await page.evaluateOnNewDocument(PAGE_HELPERS);
  await page.goto(config.pageUrl);
  await page.waitForFunction(() => ['annotated', 'not-stored', 'error'].includes(document.documentElement.dataset.factmark), {
    timeout: 20_000,
  });
  report.pageState = await page.evaluate(() => document.documentElement.dataset.factmark);
  report.marks = await page.evaluate(() => window.__factmarkTest.marks());
  report.layoutWith = await page.evaluate(() => window.__factmarkTest.layout());
  mark('highlighted');

  const tabId = await worker.evaluate(async (url) => (await chrome.tabs.query({ url }))[0]?.id, config.pageUrl);
  const panel = await browser.newPage();
  watch(panel, 'side panel');
  await panel.goto(`${base}/sidepanel.html?tab=${tabId}`);
  await panel.waitForFunction(() => document.getElementById('page').dataset.state === 'ok', { timeout: 10_000 });
  const readPanel = () =>
    panel.evaluate(() => ({
      page: document.getElementById('page').textContent,
      live: document.getElementById('live').textContent,
      counts: Object.fromEntries([...document.querySelectorAll('[data-count]')].map((e) => [e.dataset.count, Number(e.textContent)])),
      orphans: [...document.querySelectorAll('#orphans li[data-annotation-id]')].map((li) => ({
        id: li.dataset.annotationId,
        kind: li.dataset.kind,
        quote: li.querySelector('q').textContent,
        reason: li.querySelector('small').textContent,
      })),
    }));
  report.panel = await readPanel();
  mark('panel');

  // 3. Cards, by hover and by keyboard focus.
  await page.bringToFront();
  report.cards = {};
  // The pointer over the annotation's last piece (its first may hold a nested highlight, whose card would show).
  const hoverOver = async (id) => {
    const [x, y] = await page.evaluate((want) => {
      const pieces = document.querySelectorAll(`mark.factmark[data-annotation-id="${want}"]`);
      const box = pieces[pieces.length - 1].getClientRects()[0];
      return [box.x + box.width / 2, box.y + box.height / 2];
    }, id);
    await page.mouse.move(x, y);
  };
  const moveAway = async () => {
    await page.mouse.move(990, 890);
    await page.waitForFunction(() => window.__factmarkTest.card() === null, { timeout: 5_000 });
  };
  for (const [name, id] of Object.entries(config.hover)) {
    await moveAway(); // an open card may cover the next highlight
    await hoverOver(id);
    await page.waitForFunction((want) => window.__factmarkTest.card()?.id === want, { timeout: 5_000 }, id).catch(async (e) => {
      const debug = await page.evaluate((want) => {
        const pieces = document.querySelectorAll(`mark.factmark[data-annotation-id="${want}"]`);
        const box = pieces[pieces.length - 1].getClientRects()[0];
        const at = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
        return { box: [box.x, box.y, box.width, box.height], at: at?.outerHTML?.slice(0, 200), card: window.__factmarkTest.card() };
      }, id);
      throw new Error(`hover ${name}: ${JSON.stringify(debug)}`);
    });
    report.cards[name] = await page.evaluate(() => window.__factmarkTest.card());
    report.cards[name].related = await page.evaluate(() =>
      [...new Set([...document.querySelectorAll('mark.factmark-related')].map((m) => m.dataset.annotationId))],
    );
  }
  await moveAway();
  // Keyboard: Tab from the heading reaches highlights; the focused one shows its card.
  await page.evaluate(() => {
    const h1 = document.querySelector('h1');
    h1.tabIndex = -1;
    h1.focus();
  });
  const focused = [];
  for (let i = 0; i < 6; i += 1) {
    await page.keyboard.press('Tab');
    focused.push(
      await page.evaluate(() => ({
        tag: document.activeElement.tagName,
        id: document.activeElement.dataset?.annotationId ?? null,
        card: window.__factmarkTest.card()?.id ?? null,
      })),
    );
  }
  report.focus = focused;
  await page.keyboard.press('Escape');
  report.cardAfterEscape = await page.evaluate(() => window.__factmarkTest.card());
  mark('cards');

  // 4. Creating by selection: the context menu's handler (Chromium's native menu cannot be clicked from
  // puppeteer, so the test calls the very function the menu calls) and the side panel's buttons.
  report.created = [];
  for (const creation of config.creations) {
    await page.bringToFront();
    const selected = await page.evaluate((q, n) => window.__factmarkTest.select(q, n), creation.quote, creation.occurrence);
    let answer;
    if (creation.via === 'menu') {
      const dialogs = [];
      const onDialog = async (dialog) => {
        dialogs.push(dialog.message());
        await dialog.accept(creation.prompt ?? '');
      };
      page.on('dialog', onDialog);
      answer = await worker.evaluate(
        (tab, kind) => self.factmarkMenuClicked({ menuItemId: `factmark-mark-${kind}` }, { id: tab }),
        tabId,
        creation.kind,
      );
      page.off('dialog', onDialog);
      answer = { ...answer, dialogs };
    } else {
      await panel.bringToFront();
      for (const [field, value] of Object.entries(creation.fields ?? {})) {
        await panel.evaluate((f, v) => (document.getElementById(f).value = v), field, value);
      }
      await panel.click(`button[data-mark="${creation.kind}"]`);
      await panel.waitForFunction(() => document.getElementById('result').dataset.state !== 'busy', {
        timeout: 15_000,
        polling: 200,
      });
      answer = await panel.evaluate(() => {
        const result = document.getElementById('result');
        return { ok: result.dataset.state === 'ok', text: result.textContent, id: result.dataset.annotationId };
      });
      await panel.evaluate(() => {
        for (const input of document.querySelectorAll('input')) input.value = '';
        delete document.getElementById('result').dataset.annotationId;
      });
    }
    const toast = await page.evaluate(() => window.__factmarkTest.toast());
    report.created.push({ name: creation.name, selected, answer, toast });
  }
  report.marksAfter = await page.evaluate(() => window.__factmarkTest.marks());
  report.panelAfter = await readPanel();
  if (config.panelScreenshot) {
    await panel.bringToFront();
    await panel.setViewport({ width: 400, height: 900 });
    await panel.screenshot({ path: config.panelScreenshot, fullPage: true });
  }
  mark('created');

  // 5. Live: changes made elsewhere (here: by this driver, straight to the API) reach the page without a reload.
  if (config.live) {
    const api = (path, init = {}) =>
      fetch(`${config.serviceUrl}${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${config.key}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
      });
    const waitFor = (fn, arg) => page.waitForFunction(fn, { timeout: 15_000, polling: 100 }, arg).then(() => true, () => false);
    report.live = {};
    if (config.live.enableStream) {
      // The service starts offering the stream; saving the options again makes the extension look afresh.
      await fetch(config.live.enableStream, { method: 'POST' });
      const again = await browser.newPage();
      await again.goto(`${base}/options.html`);
      await again.waitForFunction(() => document.getElementById('status').dataset.state === 'ok', { timeout: 15_000 });
      await again.click('#save');
      await again.waitForFunction(() => document.getElementById('status').dataset.state === 'ok', { timeout: 15_000 });
      await again.close();
    }
    await page.bringToFront();
    report.live.connected = await page
      .waitForFunction(() => document.documentElement.dataset.factmark === 'annotated', { timeout: 15_000 })
      .then(() =>
        // Polling by interval: the panel's tab is in the background, where animation frames do not run.
        panel.waitForFunction(() => document.getElementById('live').textContent.startsWith('Live:'), {
          timeout: 15_000,
          polling: 200,
        }),
      )
      .then(() => true, () => false);
    report.live.workerAfterConnect = await worker.evaluate(() => self.factmarkState());
    const added = await (await api(`/v1/articles/${config.live.articleId}/annotations`, {
      method: 'POST',
      body: JSON.stringify(config.live.add),
    })).json();
    report.live.added = added.id;
    report.live.appeared = await waitFor((id) => document.querySelector(`mark.factmark[data-annotation-id="${id}"]`) !== null, added.id);
    const current = await api(`/v1/annotations/${config.live.change}`);
    const changed = await api(`/v1/annotations/${config.live.change}`, {
      method: 'PATCH',
      headers: { 'If-Match': current.headers.get('ETag') },
      body: JSON.stringify(config.live.patch),
    });
    report.live.patchStatus = changed.status;
    report.live.changed = await waitFor(
      (want) => {
        const m = document.querySelector(`mark.factmark[data-annotation-id="${want.id}"]`);
        if (!m) return false;
        m.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
        return window.__factmarkTest.card()?.text.includes(want.text);
      },
      { id: config.live.change, text: config.live.expectText },
    );
    const deleted = await api(`/v1/annotations/${config.live.remove}`, { method: 'DELETE' });
    report.live.deleteStatus = deleted.status;
    report.live.disappeared = await waitFor(
      (id) => document.documentElement.dataset.factmark === 'annotated' &&
        document.querySelector(`mark.factmark[data-annotation-id="${id}"]`) === null,
      config.live.remove,
    );
    report.live.panel = (await readPanel()).live;
    mark('live');
  }

  // 6. A screenshot with a card open, then the layout check (highlights removed: nothing may move).
  await page.bringToFront();
  await page.evaluate(() => {
    window.scrollTo(0, 0);
    window.getSelection().removeAllRanges();
    document.activeElement?.blur();
    document.getElementById('factmark-ui').shadowRoot.querySelector('.toast').hidden = true;
  });
  await hoverOver(config.screenshotHover);
  await page.waitForFunction(() => window.__factmarkTest.card() !== null, { timeout: 5_000 });
  await page.screenshot({ path: config.screenshot });
  await page.mouse.move(990, 890);
  await page.evaluate(() => window.__factmarkTest.unwrap());
  report.layoutWithout = await page.evaluate(() => window.__factmarkTest.layout());

  // 7. A page Factmark does not know: nothing highlighted, nothing broken.
  const plain = await browser.newPage();
  watch(plain, 'plain page');
  await plain.goto(config.plainUrl);
  await plain.waitForFunction(() => document.documentElement.dataset.factmark && document.documentElement.dataset.factmark !== 'loading', {
    timeout: 10_000,
  });
  report.plain = await plain.evaluate(() => ({
    state: document.documentElement.dataset.factmark,
    marks: document.querySelectorAll('mark.factmark').length,
  }));
  mark('done');
} catch (error) {
  process.stderr.write(`driver failed: ${error.stack ?? error}\n${JSON.stringify(report).slice(0, 3000)}\n`);
  exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
}
if (exitCode === 0) process.stdout.write(JSON.stringify(report));
process.exit(exitCode);
