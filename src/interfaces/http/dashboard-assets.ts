/**
 * The dashboard's static files (HTML, CSS, JS modules). tsc does not copy them into dist/, so a
 * compiled module looks beside itself first and then in the package's src/, as the built-in
 * workflow files do. They are read once, at start: requests never touch the disk.
 *
 * The libraries the pages import (Preact, its hooks, htm, diff2html) are served from their npm
 * packages' own browser builds under /assets/vendor/ — no bundler, no CDN, so the CSP stays
 * 'self'. Browsers cannot resolve a bare `import … from "preact"` without an import map, and an
 * inline import map would need 'unsafe-inline', so the one bare import (in preact/hooks) is
 * pointed at the served file as it is read.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../../workflows/builtin-files.js';

const here = dirname(fileURLToPath(import.meta.url));
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};
export const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.(html|css|js|svg)$/;

export interface Asset {
  body: string;
  contentType: string;
}

/** Served name → package and file in it; `rewrite` adjusts the text once, at load. */
const VENDOR: Record<string, { pkg: string; file: string; rewrite?: (text: string) => string }> = {
  'preact.mjs': { pkg: 'preact', file: 'dist/preact.mjs' },
  'hooks.mjs': { pkg: 'preact', file: 'hooks/dist/hooks.mjs', rewrite: (t) => t.replace(/from\s*["']preact["']/g, 'from"./preact.mjs"') },
  'htm.mjs': { pkg: 'htm', file: 'dist/htm.mjs' },
  // diff2html's UI bundle with its highlight.js (common languages); a classic script that sets
  // window.Diff2HtmlUI. Its stylesheet uses classes only, no inline styles.
  'diff2html-ui.js': { pkg: 'diff2html', file: 'bundles/js/diff2html-ui-slim.min.js' },
  'diff2html.css': { pkg: 'diff2html', file: 'bundles/css/diff2html.min.css' },
};

export function assetsDir(): string {
  const local = join(here, 'assets');
  return existsSync(local) ? local : join(PACKAGE_ROOT, 'src', 'interfaces', 'http', 'assets');
}

export function loadAssets(dir = assetsDir()): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    if (!ASSET_NAME.test(name)) continue;
    assets.set(name, { body: readFileSync(join(dir, name), 'utf8'), contentType: contentTypeOf(name) });
  }
  return assets;
}

/** The vendored library files, keyed by the name they are served under (/assets/vendor/NAME). */
export function loadVendorAssets(from = PACKAGE_ROOT): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [name, { pkg, file, rewrite }] of Object.entries(VENDOR)) {
    const path = join(packageDir(pkg, from), file);
    const text = readFileSync(path, 'utf8');
    assets.set(name, { body: rewrite ? rewrite(text) : text, contentType: contentTypeOf(name) });
  }
  return assets;
}

function contentTypeOf(name: string): string {
  return CONTENT_TYPES[name.slice(name.lastIndexOf('.'))]!;
}

/** Where Node would find the package from `from`: the nearest node_modules/PKG up the folders. */
function packageDir(pkg: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`The dashboard needs the npm package ${pkg}, which is not installed beside ${from}. Reinstall converge-orchestrator (npm install).`);
  }
}
