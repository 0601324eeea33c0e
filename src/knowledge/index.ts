/**
 * The knowledge base: documentation globs → an incremental search index → the chunks an agent
 * call gets within its token budget.
 */
export { KnowledgeIndex, DEFAULT_INDEX_PATH } from './knowledge-index.js';
export type { KnowledgeChunk, KnowledgeDocument, KnowledgeIndexOptions, RefreshResult, ScoredChunk, SearchLimit } from './knowledge-index.js';
export { DEFAULT_KNOWLEDGE_BUDGETS, formatSection, naiveKnowledge, selectKnowledge } from './context-selection.js';
export type { KnowledgeDocumentSource, KnowledgeRole, KnowledgeSearcher, KnowledgeSelection, SelectKnowledgeOptions } from './context-selection.js';
export { createKnowledgeProvider } from './knowledge-provider.js';
export type { KnowledgeProvider, KnowledgeProviderOptions, KnowledgeRequest } from './knowledge-provider.js';
export { DEFAULT_MAX_FILE_BYTES, IGNORED_DIRECTORIES, TEXT_EXTENSIONS } from './knowledge-files.js';
export type { SkippedFile, SkipReason } from './knowledge-files.js';
export { countTokens } from './knowledge-tokens.js';
