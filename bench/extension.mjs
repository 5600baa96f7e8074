// Browser side of bench/extension.py: loads the built extension in Chromium, sets it up, opens each page `runs`
// times and reports the time from the page's load event to <html data-factmark="annotated">.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import puppeteer from '../tests/extension/node_modules/puppeteer-core/lib/esm/puppeteer/puppeteer-core.js';

const config = JSON.parse(await new Promise((resolve) => {
  let input = '';
  process.stdin.on('data', (chunk) => (input += chunk));
  process.stdin.on('end', () => resolve(input));
}));
const userDataDir = mkdtempSync(join(tmpdir(), 'factmark-bench-chromium-'));
const browser = await puppeteer.launch({
  executablePath: config.chromium,
  headless: true,
  enableExtensions: true,
  userDataDir,
  args: [`--disable-extensions-except=${config.extension}`, `--load-extension=${config.extension}`, '--no-sandbox', '--disable-gpu'],
});
try {
  const target = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().endsWith('/background.js'));
  const worker = await target.worker();
  await worker.evaluate((serviceUrl, apiKey) => chrome.storage.local.set({ serviceUrl, apiKey }), config.service, config.key);
  const report = {};
  for (const [name, url] of Object.entries(config.pages)) {
    report[name] = [];
    for (let run = 0; run < config.runs; run += 1) {
      const page = await browser.newPage();
      await page.goto(url, { waitUntil: 'load' });
      const loaded = await page.evaluate(() => performance.now());
      await page.waitForFunction(() => document.documentElement.dataset.factmark === 'annotated', { timeout: 300_000, polling: 20 });
      const [done, highlighted] = await page.evaluate(() => [
        performance.now(),
        new Set([...document.querySelectorAll('mark.factmark')].map((m) => m.dataset.annotationId)).size,
      ]);
      report[name].push({ ms: done - loaded, highlighted });
      await page.close();
    }
  }
  process.stdout.write(JSON.stringify(report));
} finally {
  await browser.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
