// Builds the extension into ../build/extension (or FACTMARK_EXTENSION_OUT): generates the TypeScript client from
// ../openapi/openapi.json into src/generated/ (not committed), type-checks everything with tsc, bundles each entry
// point with esbuild and copies the static files. `make extension` runs `npm ci` and then this.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { createClient } from '@hey-api/openapi-ts';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.env.FACTMARK_EXTENSION_OUT ?? join(here, '..', 'build', 'extension');
const generated = join(here, 'src', 'generated');

rmSync(generated, { recursive: true, force: true });
await createClient({
  input: join(here, '..', 'openapi', 'openapi.json'),
  output: { path: generated, tsConfigPath: join(here, 'tsconfig.json') },
  logs: { level: 'silent', file: false },
  plugins: ['@hey-api/client-fetch', '@hey-api/typescript', '@hey-api/sdk'],
});

try {
  execFileSync(process.execPath, [join(here, 'node_modules', 'typescript', 'bin', 'tsc'), '--project', here], {
    stdio: 'inherit',
  });
} catch {
  console.error('build.mjs: the TypeScript type check failed (above)');
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['background', 'content', 'options', 'sidepanel'].map((name) => join(here, 'src', `${name}.ts`)),
  outdir: out,
  bundle: true,
  format: 'iife',
  target: 'chrome120',
  legalComments: 'linked',
  minify: true,
  logLevel: 'warning',
});
cpSync(join(here, 'static'), out, { recursive: true });
console.log(`extension built into ${out}`);
