export { createTemplateRenderer, builtinTemplatesDir, isTemplateFileName } from './template-renderer.js';
export type { RenderedParts, TemplateRenderer, TemplateRendererOptions, TemplateSource, TemplateVars } from './template-renderer.js';
export { SEED_MARKERS } from './template-markers.js';
export type { SeedMarker } from './template-markers.js';
export { TEMPLATE_ALIASES, sameTemplate, templateNameVariants } from './template-aliases.js';
export { INPUTS_PARTIAL } from './template-inputs.js';
