// Drives Chromium through the anchoring test: serves page.html and an esbuild bundle of anchoring.js on
// 127.0.0.1, opens the page, runs window.factmark.run(config) and prints its report as JSON on stdout.
// Config (JSON on stdin): {service, key, articleId, pagePort, picks}. Exit 0 with a report, non-zero on any
// failure to run (the pytest side judges the report).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const executablePath = process.env.FACTMARK_CHROMIUM ?? '/usr/bin/chromium';
const timings = {};
const started = performance.now();
const mark = (name) => {
  timings[name] = Math.round(performance.now() - started);
};

const config = JSON.parse(readFileSync(0, 'utf8'));

const bundle = await build({
  entryPoints: [join(here, 'anchoring.js')],
  bundle: true,
  write: false,
  format: 'iife',
  target: 'chrome110',
  logLevel: 'silent',
});
const files = {
  '/': { type: 'text/html; charset=utf-8', body: readFileSync(join(here, 'page.html')) },
  '/bundle.js': { type: 'text/javascript; charset=utf-8', body: bundle.outputFiles[0].contents },
};
mark('bundled');

const server = createServer((request, response) => {
  const file = files[new URL(request.url, 'http://localhost').pathname];
  response.writeHead(file ? 200 : 404, { 'Content-Type': file?.type ?? 'text/plain' });
  response.end(file?.body ?? 'not found');
});
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(config.pagePort, '127.0.0.1', resolve);
});

const userDataDir = mkdtempSync(join(tmpdir(), 'factmark-chromium-'));
let context;
let exitCode = 0;
try {
  // launchPersistentContext is how Playwright takes a --user-data-dir: a fresh one, removed afterwards.
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mark('launched');
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.stack ?? error}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()} at ${message.location().url}`);
  });
  page.setDefaultTimeout(30_000);
  await page.goto(`http://127.0.0.1:${config.pagePort}/`);
  const report = await page.evaluate((given) => window.factmark.run(given), config);
  mark('ran');
  report.problems = problems;
  report.timings = timings;
  process.stdout.write(JSON.stringify(report));
} catch (error) {
  process.stderr.write(`driver failed: ${error.stack ?? error}\n`);
  exitCode = 1;
} finally {
  await context?.close().catch(() => {});
  server.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(exitCode);
