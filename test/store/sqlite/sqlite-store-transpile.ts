/**
 * Child processes cannot load TypeScript on Node 20 and the tests must not need a build, so this
 * transpiles the SQLite store and the relative modules it imports into a scratch directory.
 * No type checking happens here; `tsc --noEmit` covers that.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const requireFromProject = createRequire(join(projectRoot, 'package.json'));
const ENTRY = join(projectRoot, 'src', 'store', 'sqlite', 'sqlite-store.ts');
const IMPORT = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"]+)\2/g;

/** Returns the file URL of the transpiled `sqlite-store.js`, importable from a plain `node` process. */
export function transpileForChildProcess(outDir: string): string {
  const outFile = (source: string) => join(outDir, relative(projectRoot, source)).replace(/\.ts$/, '.js');
  const pending = [ENTRY];
  const done = new Set<string>();
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (done.has(file)) continue;
    done.add(file);
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    // Bare packages are resolved from the project, since the scratch directory has no node_modules.
    const output = outputText.replace(IMPORT, (match, lead: string, quote: string, specifier: string) => {
      if (specifier.startsWith('.')) {
        pending.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
        return match;
      }
      if (specifier.startsWith('node:')) return match;
      // The pattern also meets string data such as `"from":"…"`; only a package name is resolved.
      if (!/^(@[\w.-]+\/)?[\w.-]+(\/[\w./-]+)?$/.test(specifier)) return match;
      return `${lead}${quote}${pathToFileURL(requireFromProject.resolve(specifier)).href}${quote}`;
    });
    mkdirSync(dirname(outFile(file)), { recursive: true });
    writeFileSync(outFile(file), output);
  }
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  // The store loads its driver with require (cheaper at start than import), which the rewrite of
  // import specifiers above does not reach: the project's packages are found through a link.
  if (!existsSync(join(outDir, 'node_modules'))) symlinkSync(join(projectRoot, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  return pathToFileURL(outFile(ENTRY)).href;
}
