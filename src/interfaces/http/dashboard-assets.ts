/**
 * The dashboard's static files (HTML, CSS, JS modules). tsc does not copy them into dist/, so a
 * compiled module looks beside itself first and then in the package's src/, as the built-in
 * workflow files do. They are read once, at start: requests never touch the disk.
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
  '.svg': 'image/svg+xml',
};
export const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.(html|css|js|svg)$/;

export interface Asset {
  body: string;
  contentType: string;
}

export function assetsDir(): string {
  const local = join(here, 'assets');
  return existsSync(local) ? local : join(PACKAGE_ROOT, 'src', 'interfaces', 'http', 'assets');
}

export function loadAssets(dir = assetsDir()): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    if (!ASSET_NAME.test(name)) continue;
    const ext = name.slice(name.lastIndexOf('.'));
    assets.set(name, { body: readFileSync(join(dir, name), 'utf8'), contentType: CONTENT_TYPES[ext]! });
  }
  return assets;
}
