import { describe, expect, it } from 'vitest';
import { HeadTailCollector, TailBuffer, WholeBuffer } from '../../src/sandbox/index.js';

describe('HeadTailCollector (a check’s output)', () => {
  it('keeps everything under the cap', () => {
    const out = new HeadTailCollector(100);
    out.push(Buffer.from('hello '));
    out.push(Buffer.from('world'));
    expect(out.toString()).toBe('hello world');
  });

  it('keeps the head and the tail across many chunks and marks the omitted middle', () => {
    const out = new HeadTailCollector(10);
    for (const chunk of ['abc', 'def', 'ghi', 'jkl', 'mno', 'pqr']) out.push(Buffer.from(chunk));
    expect(out.toString()).toBe('abcde\n[… 8 bytes of output omitted …]\nnopqr');
    expect(out.totalBytes).toBe(18);
  });

  it('drops a multi-byte character split by the cut', () => {
    const out = new HeadTailCollector(6);
    out.push(Buffer.from('ab€€€€cd'));
    expect(out.toString()).toMatch(/^ab\n\[… \d+ bytes of output omitted …\]\n.*cd$/);
    expect(out.toString()).not.toContain('\uFFFD');
  });
});

describe('TailBuffer (a command agent’s stdout and stderr)', () => {
  it('keeps the last bytes and counts what it dropped', () => {
    const out = new TailBuffer(5);
    for (const chunk of ['abc', 'def', 'ghi']) out.push(Buffer.from(chunk));
    expect(out.toString()).toBe('efghi');
    expect(out.dropped).toBe(4);
  });

  it('drops a multi-byte character split by the cut', () => {
    const out = new TailBuffer(3);
    out.push(Buffer.from('a€b'));
    expect(out.toString()).toBe('b');
  });
});

describe('WholeBuffer (a report printed on stdout)', () => {
  it('keeps everything up to the cap', () => {
    const out = new WholeBuffer(10);
    out.push(Buffer.from('<xml/>'));
    expect(out.toString()).toBe('<xml/>');
    expect(out.tooLarge).toBe(false);
  });

  it('says when more came than it may hold', () => {
    const out = new WholeBuffer(4);
    out.push(Buffer.from('abc'));
    out.push(Buffer.from('def'));
    expect(out.tooLarge).toBe(true);
  });
});
