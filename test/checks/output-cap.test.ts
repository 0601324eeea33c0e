import { describe, expect, it } from 'vitest';
import { OutputCollector } from '../../src/checks/index.js';

describe('OutputCollector', () => {
  it('keeps everything under the cap', () => {
    const out = new OutputCollector(100);
    out.push(Buffer.from('hello '));
    out.push(Buffer.from('world'));
    expect(out.toString()).toBe('hello world');
  });

  it('keeps the head and the tail across many chunks and marks the omitted middle', () => {
    const out = new OutputCollector(10);
    for (const chunk of ['abc', 'def', 'ghi', 'jkl', 'mno', 'pqr']) out.push(Buffer.from(chunk));
    expect(out.toString()).toBe('abcde\n[… 8 bytes of output omitted …]\nnopqr');
    expect(out.totalBytes).toBe(18);
  });

  it('drops a multi-byte character split by the cut', () => {
    const out = new OutputCollector(6);
    out.push(Buffer.from('ab€€€€cd'));
    expect(out.toString()).toMatch(/^ab\n\[… \d+ bytes of output omitted …\]\n.*cd$/);
    expect(out.toString()).not.toContain('\uFFFD');
  });
});
