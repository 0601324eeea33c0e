import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { slugify } from '../src/index.js';

describe('slugify', () => {
  it('lower-cases words and joins them with hyphens', () => {
    assert.equal(slugify('Hello World'), 'hello-world');
  });

  it('strips accents', () => {
    assert.equal(slugify('Crème Brûlée'), 'creme-brulee');
  });

  it('collapses punctuation and trims hyphens at both ends', () => {
    assert.equal(slugify('  --Ready, set... go!--  '), 'ready-set-go');
  });

  it('returns an empty string when nothing is left', () => {
    assert.equal(slugify('!!!'), '');
  });
});
