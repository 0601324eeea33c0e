import { describe, expect, it } from 'vitest';
import { MemoryStore, openMemoryStore } from '../../../src/store/memory/memory-store.js';
import { runStoreConformance } from '../store-conformance.case.js';

runStoreConformance({ name: 'memory', newStore: openMemoryStore });

describe('MemoryStore', () => {
  it('reports a single-process store', () => {
    expect(new MemoryStore().capabilities).toEqual({ multiProcessWriters: false, distributedQueue: false });
  });

  it('keeps two instances apart', async () => {
    const [a, b] = [new MemoryStore(), new MemoryStore()];
    await a.setSetting('k', 'a');
    expect(await b.getSetting('k')).toBeUndefined();
  });
});
