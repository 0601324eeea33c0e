/** The XML reading shared by the JUnit and Cobertura parsers (fast-xml-parser lives here only). */
import { createRequire } from 'node:module';
import type * as FastXmlParser from 'fast-xml-parser';
import { ReportParseError, type ReportFormat } from './parsed-report.js';

/** Attributes are prefixed so that Node's `<testcase failure="…">` cannot collide with a `<failure>` child. */
export const ATTR = '@_';

export type XmlNode = Record<string, unknown>;

// Loaded when the first report is parsed, not when a worker starts (about 0.1 s); `require`
// keeps parseXml synchronous, as its callers are.
const require = createRequire(import.meta.url);
let xml: typeof FastXmlParser | undefined;

export function parseXml(format: ReportFormat, text: string, arrayTags: readonly string[]): XmlNode {
  if (text.trim() === '') throw new ReportParseError(format, 'the report is empty');
  xml ??= require('fast-xml-parser') as typeof FastXmlParser;
  const { XMLParser, XMLValidator } = xml;
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new ReportParseError(format, `invalid XML at line ${valid.err.line}: ${valid.err.msg}`);
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: ATTR,
    textNodeName: '#text',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    htmlEntities: true,
    isArray: (name) => arrayTags.includes(name),
  });
  try {
    return parser.parse(text) as XmlNode;
  } catch (error) {
    throw new ReportParseError(format, error instanceof Error ? error.message : String(error), error);
  }
}

export function attr(node: unknown, name: string): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const value = (node as XmlNode)[`${ATTR}${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** Text content of an element that fast-xml-parser gave as a string or as `{ '#text': … }`. */
export function textOf(node: unknown): string {
  if (typeof node === 'string') return node;
  if (typeof node === 'object' && node !== null) {
    const text = (node as XmlNode)['#text'];
    if (typeof text === 'string') return text;
  }
  return '';
}

export function children(node: unknown, tag: string): unknown[] {
  if (typeof node !== 'object' || node === null) return [];
  const value = (node as XmlNode)[tag];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
