import { MemoryAuditLog, openMemoryOpsStore } from '../../src/ops/memory/memory-ops-store.js';
import { runOpsStoreConformance } from './ops-store.case.js';

runOpsStoreConformance({
  name: 'memory',
  newStore: async () => openMemoryOpsStore(),
  cutTail: async (store, count) => (store.auditLog as MemoryAuditLog).dropTail(count),
});
