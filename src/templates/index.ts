export { createTemplateRenderer, builtinTemplatesDir, isTemplateFileName } from './template-renderer.js';
export type { RenderedParts, TemplateRenderer, TemplateRendererOptions, TemplateSource, TemplateVars } from './template-renderer.js';
export { SEED_MARKERS } from './template-markers.js';
