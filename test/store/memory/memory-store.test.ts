import { describe, expect, it } from 'vitest';
import { MemoryStore, openMemoryStore } from '../../../src/store/memory/memory-store.js';
import { runStoreConformance } from '../store-conformance.case.js';

runStoreConformance({
  name: 'memory',
  newStore: openMemoryStore,
  damage: {
    async deleteEvent(store, id, seq) {
      const rows = (store as MemoryStore).rawEvents(id);
      rows.splice(rows.findIndex((row) => row.seq === seq), 1);
    },
    async garbleEvent(store, id, seq) {
      (store as MemoryStore).rawEvents(id).find((row) => row.seq === seq)!.body = 'garbage';
    },
    async garbleUnchecked(store, id, seq) {
      Object.assign((store as MemoryStore).rawEvents(id).find((row) => row.seq === seq)!, { body: '{"not json', checksum: null });
    },
  },
});

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
