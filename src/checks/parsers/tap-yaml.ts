/**
 * Just enough YAML for TAP diagnostic blocks: top-level `key: value` pairs, quoted scalars,
 * block scalars (`|-`, `>`) and one level of nesting flattened to `parent.key`. A full YAML
 * library would be overkill here, and a diagnostic block we misread only loses detail.
 */
export type TapDiagnostics = Record<string, string>;

const KEY_VALUE = /^([A-Za-z_][\w.-]*):(?:\s+(.*))?$/;

export function parseTapDiagnostics(lines: readonly string[]): TapDiagnostics {
  const result: TapDiagnostics = {};
  const baseIndent = Math.min(...lines.filter((l) => l.trim() !== '').map(indentOf));
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    i += 1;
    if (line.trim() === '' || indentOf(line) !== baseIndent) continue;
    const match = KEY_VALUE.exec(line.trim());
    if (match === null) continue;
    const key = match[1] ?? '';
    const value = (match[2] ?? '').trim();
    const nested: string[] = [];
    while (i < lines.length && (lines[i]?.trim() === '' || indentOf(lines[i] ?? '') > baseIndent)) {
      nested.push(lines[i] ?? '');
      i += 1;
    }
    if (/^[|>][-+]?$/.test(value)) {
      result[key] = blockScalar(nested, value.startsWith('>'));
    } else if (value === '' && nested.some((l) => l.trim() !== '')) {
      for (const [childKey, childValue] of Object.entries(parseTapDiagnostics(nested))) {
        result[`${key}.${childKey}`] = childValue;
      }
    } else {
      result[key] = scalar(value);
    }
  }
  return result;
}

function blockScalar(lines: readonly string[], folded: boolean): string {
  const content = lines.filter((l) => l.trim() !== '');
  const indent = content.length === 0 ? 0 : Math.min(...content.map(indentOf));
  const body = lines.map((l) => l.slice(indent));
  while (body.length > 0 && body[body.length - 1]?.trim() === '') body.pop();
  return body.join(folded ? ' ' : '\n');
}

function scalar(value: string): string {
  if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) {
    return value.slice(1, -1).replace(/''/g, "'");
  }
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
    try {
      return String(JSON.parse(value));
    } catch {
      return value.slice(1, -1);
    }
  }
  return value;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}
