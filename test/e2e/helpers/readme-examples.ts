/**
 * Every `converge …` command the README shows: the commands of its ```sh blocks (also after
 * `npx`, an env assignment, a pipe from `echo`, or `claude mcp add … --`), and the synopsis block
 * under "## Command line", expanded — `a | b` into separate commands, `--x | --y` into alternatives
 * of one command, `plan|report` into one variant per value, optional `[…]` parts included.
 */

export interface Example {
  /** Where it comes from: `sh` (a ```sh block) or `synopsis`, and the README line. */
  source: 'sh' | 'synopsis';
  line: string;
  /** The arguments after `converge`, as the shell would pass them, placeholders still in. */
  args: string[];
  /** What `echo '…' |` in front of it pipes in. */
  stdin?: string;
}

/** Splits like a shell: whitespace separates words, quotes group and are removed. `|`, `&&` and `;` are words of their own. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '$' && text[i + 1] === '(') {
      // `$(openssl rand -hex 24)` is one word.
      const end = text.indexOf(')', i);
      word = (word ?? '') + text.slice(i, end === -1 ? text.length : end + 1);
      i = end === -1 ? text.length : end;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if ((c === '|' && text[i + 1] !== '|' && (text[i - 1] === undefined || /\s/.test(text[i - 1]!))) || c === ';' || (c === '&' && text[i + 1] === '&')) {
      if (word !== undefined) words.push(word);
      word = undefined;
      words.push(c === '&' ? '&&' : c);
      if (c === '&') i++;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** A line without its `# comment` (a `#` after whitespace, outside quotes). */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/** The converge arguments of one shell command (its words), if it runs converge. */
function convergeArgs(words: string[]): string[] | undefined {
  let i = 0;
  while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!)) i++;
  // `claude mcp add converge -- npx converge mcp`: the command after `--` is converge's.
  const separator = words.indexOf('--');
  if (words[i] !== 'npx' && words[i] !== 'converge' && separator !== -1) i = separator + 1;
  if (words[i] === 'npx') {
    i++;
    while (words[i] === '-y' || words[i] === '--yes' || words[i] === '-p' || words[i] === '--package') i += words[i] === '-p' || words[i] === '--package' ? 2 : 1;
  }
  return words[i] === 'converge' ? words.slice(i + 1) : undefined;
}

export function shExamples(readme: string): Example[] {
  const examples: Example[] = [];
  for (const block of readme.matchAll(/^```sh\n([\s\S]*?)^```/gm)) {
    const lines = block[1]!.replace(/\\\n\s*/g, ' ').split('\n');
    for (const raw of lines) {
      const line = withoutComment(raw).trim();
      if (line === '') continue;
      const words = shellWords(line);
      let command: string[] = [];
      let stdin: string | undefined;
      const flush = (next: string | undefined) => {
        const args = convergeArgs(command);
        if (args !== undefined) examples.push({ source: 'sh', line, args, ...(stdin !== undefined ? { stdin } : {}) });
        stdin = next === '|' && command[0] === 'echo' ? `${command.slice(1).join(' ')}\n` : undefined;
        command = [];
      };
      for (const word of words) {
        if (word === '|' || word === '&&' || word === ';') flush(word);
        else command.push(word);
      }
      flush(undefined);
    }
  }
  return examples;
}

/** The synopsis lines under "## Command line": a line per command, its continuation lines joined, descriptions dropped. */
function synopsisLines(readme: string): string[] {
  const section = readme.split(/^## Command line$/m)[1] ?? '';
  const block = /^```\n([\s\S]*?)^```/m.exec(section)?.[1];
  if (block === undefined) throw new Error('README.md has no ``` block under "## Command line".');
  const lines: string[] = [];
  for (const line of block.split('\n')) {
    const syntax = line.trim().split(/\s{2,}/)[0]!;
    if (line.startsWith('converge ')) lines.push(syntax);
    else if (/^\s+(\[|--)/.test(line) && lines.length > 0) lines[lines.length - 1] += ` ${syntax}`;
  }
  return lines;
}

/** `a|b|c` words become one variant per value (the other words at their first value). */
function variants(words: string[]): string[][] {
  const first = words.map((w) => w.split('|')[0]!);
  const out = [first];
  words.forEach((w, i) => {
    for (const value of w.split('|').slice(1)) out.push(first.map((f, j) => (j === i ? value : f)));
  });
  return out;
}

export function synopsisExamples(readme: string): Example[] {
  const examples: Example[] = [];
  for (const line of synopsisLines(readme)) {
    // Optional parts are included; `T…` (repeatable) is one `T`.
    const words = shellWords(line.replace(/[[\]]/g, ' ')).map((w) => (w.length > 1 ? w.replace(/…$/, '') : w));
    const alternatives: string[][] = [[]];
    for (const word of words.slice(1)) {
      if (word === '|') alternatives.push([]);
      else alternatives.at(-1)!.push(word);
    }
    const firstOption = alternatives[0]!.findIndex((w) => w.startsWith('--'));
    const base = firstOption === -1 ? alternatives[0]! : alternatives[0]!.slice(0, firstOption);
    for (const alternative of alternatives) {
      // `--accept | --retry`: another option of the same command; `list | show ID`: another command.
      const args = alternative[0]?.startsWith('--') && alternative !== alternatives[0] ? [...base, ...alternative] : alternative;
      for (const variant of variants(args)) examples.push({ source: 'synopsis', line, args: variant });
    }
  }
  return examples;
}
