/**
 * src/core is the deterministic part of Converge (Temporal's workflow code): it imports only zod
 * and its own files, and it never reads the clock, randomness, the process or the console.
 * Time, ids and randomness arrive as data in events. The files are read with the TypeScript
 * parser, so comments and strings never trip a rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const CORE = fileURLToPath(new URL('../../src/core/', import.meta.url));
const files = readdirSync(CORE).filter((f) => f.endsWith('.ts')).sort();

interface Finding {
  line: number;
  text: string;
}

function parse(source: string): ts.SourceFile {
  return ts.createSourceFile('file.ts', source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

function lineOf(file: ts.SourceFile, node: ts.Node): number {
  return file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
}

/** Every module specifier: imports, re-exports, side-effect imports, import() and require(). */
function imports(source: string): Finding[] {
  const file = parse(source);
  const found: Finding[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ line: lineOf(file, node.moduleSpecifier), text: node.moduleSpecifier.text });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const ref = node.moduleReference.expression;
      if (ts.isStringLiteral(ref)) found.push({ line: lineOf(file, ref), text: ref.text });
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      const [arg] = node.arguments;
      if ((isImport || isRequire) && arg !== undefined) {
        found.push({ line: lineOf(file, arg), text: ts.isStringLiteralLike(arg) ? arg.text : `<computed: ${arg.getText(file)}>` });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const CLOCK_FIX = 'pass the time in through the event (its `at`), or move the code to src/engine';

/** Uses of the clock, randomness, the process and the console. */
function impurities(source: string): Array<Finding & { fix: string }> {
  const file = parse(source);
  const found: Array<Finding & { fix: string }> = [];
  const named = (node: ts.Node, name: string) => ts.isIdentifier(node) && node.text === name;
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
      const member = ts.isPropertyAccessExpression(node) ? node.name.text : ts.isStringLiteral(node.argumentExpression) ? node.argumentExpression.text : '';
      if (named(node.expression, 'Date') && member === 'now') found.push({ line: lineOf(file, node), text: 'Date.now()', fix: CLOCK_FIX });
      if (named(node.expression, 'Math') && member === 'random') {
        found.push({ line: lineOf(file, node), text: 'Math.random()', fix: 'pass ids and random choices in through the event, or move the code to src/engine' });
      }
      if (named(node.expression, 'process')) {
        found.push({ line: lineOf(file, node), text: `process.${member}`, fix: 'pass the value in through the definition or the event, or move the code to src/engine' });
      }
      if (named(node.expression, 'console')) {
        found.push({ line: lineOf(file, node), text: `console.${member}`, fix: "put it in the Decision's rationale and let src/engine log it" });
      }
    }
    if (ts.isNewExpression(node) && named(node.expression, 'Date') && (node.arguments === undefined || node.arguments.length === 0)) {
      found.push({ line: lineOf(file, node), text: 'new Date() without an argument', fix: CLOCK_FIX });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function importProblems(file: string, source: string): string[] {
  return imports(source)
    .filter(({ text }) => text !== 'zod' && !/^\.\/[a-z0-9-]+\.js$/.test(text))
    .map(
      ({ text, line }) =>
        `src/core/${file}:${line} imports "${text}", but the core imports only zod and its own files ("./<name>.js") so that decide() stays pure. Fix: ` +
        (text.startsWith('.')
          ? 'import a core file as "./<name>.js", or move the code that needs this module to src/engine.'
          : 'pass what it provides in through the event or the definition, or move the code to src/engine.'),
    );
}

function impurityProblems(file: string, source: string): string[] {
  return impurities(source).map(
    ({ text, line, fix }) => `src/core/${file}:${line} uses ${text}, but decide() and apply() must be deterministic. Fix: ${fix}.`,
  );
}

describe('src/core purity', () => {
  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(files).toContain('decide.ts');
  });

  describe.each(files)('%s', (file) => {
    const source = readFileSync(join(CORE, file), 'utf8');

    it('imports only zod and relative ./*.js files', () => {
      const problems = importProblems(file, source);
      expect(problems, problems.join('\n')).toEqual([]);
    });

    it('reads no clock, randomness, process or console', () => {
      const problems = impurityProblems(file, source);
      expect(problems, problems.join('\n')).toEqual([]);
    });
  });
});

describe('src/core purity › the scanner', () => {
  it('finds every kind of import, including multi-line and dynamic ones', () => {
    const source = [
      'import type {',
      '  A,',
      "} from './a.js';",
      "import 'side-effect';",
      "export * from './b.js';",
      "const x = await import('node:fs');",
      'require("os");',
      'const y = import(name);',
    ].join('\n');
    expect(imports(source).map((f) => `${f.line} ${f.text}`)).toEqual([
      '3 ./a.js',
      '4 side-effect',
      '5 ./b.js',
      '6 node:fs',
      '7 os',
      '8 <computed: name>',
    ]);
  });

  it('ignores words in comments, strings and templates', () => {
    const source = [
      '// Date.now() and import x from "fs"',
      "const s = 'console.log';",
      'const t = `from "${def.start}" process.env`;',
      '/* Math.random() */',
    ].join('\n');
    expect([...imports(source), ...impurities(source)]).toEqual([]);
  });

  it('finds each banned use in code, and allows new Date(value)', () => {
    const source = [
      'const a = Date.now();',
      'const b = new Date();',
      'const c = new Date;',
      'const d = Math.random();',
      "const e = process.env['X'];",
      "console.log('x');",
      'const f = new Date(Date.parse(iso) + 5);',
    ].join('\n');
    expect(impurities(source).map((f) => `${f.line} ${f.text}`)).toEqual([
      '1 Date.now()',
      '2 new Date() without an argument',
      '3 new Date() without an argument',
      '4 Math.random()',
      '5 process.env',
      '6 console.log',
    ]);
  });

  it('names the file, the import and the fix in its message', () => {
    expect(importProblems('decide.ts', "import { readFileSync } from 'node:fs';")).toEqual([
      expect.stringMatching(/^src\/core\/decide\.ts:1 imports "node:fs".*Fix: .*move the code to src\/engine/),
    ]);
    expect(impurityProblems('apply.ts', 'const now = Date.now();')).toEqual([
      expect.stringMatching(/^src\/core\/apply\.ts:1 uses Date\.now\(\).*pass the time in through the event/),
    ]);
  });
});
