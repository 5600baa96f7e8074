// Drives Chromium through the Web Annotation Protocol assertions: serves a blank page with protocol.js on
// 127.0.0.1 (another origin than the service, so every request goes through CORS), runs
// window.factmarkProtocol.run(config) and prints its results as JSON on stdout.
// Config (JSON on stdin): {containerUrl, annotationUrl, key, articleUrl, pagePort}.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const executablePath = process.env.FACTMARK_CHROMIUM ?? '/usr/bin/chromium';
const config = JSON.parse(readFileSync(0, 'utf8'));
const files = {
  '/': {
    type: 'text/html; charset=utf-8',
    body: '<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">' +
      '<title>Web Annotation Protocol client</title><script src="/protocol.js"></script></head><body></body></html>',
  },
  '/protocol.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(join(here, 'protocol.js')) },
};
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
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    timeout: 30_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.stack ?? error}`));
  page.setDefaultTimeout(30_000);
  await page.goto(`http://127.0.0.1:${config.pagePort}/`);
  const results = await page.evaluate((given) => window.factmarkProtocol.run(given), config);
  process.stdout.write(JSON.stringify({ results, problems, userAgent: await page.evaluate(() => navigator.userAgent) }));
} catch (error) {
  process.stderr.write(`driver failed: ${error.stack ?? error}\n`);
  exitCode = 1;
} finally {
  await context?.close().catch(() => {});
  server.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(exitCode);
