/**
 * A template with no place for the workflow's inputs still gets them. The parent project's step-1
 * template asks "**USER INPUT REQUIRED**: Please provide the following information" and has no
 * marker, so without this its Planner never saw what to build.
 *
 * A template has a place for the inputs when it includes the `_workflow_inputs` partial, or uses
 * the `requirements` variable anywhere (itself or in a partial it includes by name), or holds the
 * `[INJECT STEP REQUIREMENTS HERE]` marker. Any other template gets the partial rendered after
 * its text, with the variables the template already uses left blank there, so nothing it shows
 * (a plan filled by `[INJECT PLANNER OUTPUT HERE]`, say) appears twice.
 */
import type { Liquid, Template } from 'liquidjs';
import { markerVariables } from './template-markers.js';

export const INPUTS_PARTIAL = '_workflow_inputs';

/** What to append: the partial, without the variables the template shows itself. */
export interface InputsAppendix {
  shown: readonly string[];
}

const INCLUDES_PARTIAL = new RegExp(`\\{%-?\\s*(?:include|render)\\s+(['"])${INPUTS_PARTIAL}(?:\\.md)?\\1`);

/** For a Liquid template, its text after markers became variables. */
export function liquidAppendix(liquid: Liquid, templates: Template[], prepared: string): InputsAppendix | undefined {
  if (INCLUDES_PARTIAL.test(prepared)) return undefined;
  return appendixFor(usedVariables(liquid, templates));
}

/** For a template that is not Liquid: only its markers show inputs. */
export function plainAppendix(text: string): InputsAppendix | undefined {
  return appendixFor(markerVariables(text));
}

/**
 * The step's own material the template does not show either: the code and check results a
 * seed-style review template has no marker for, the report and change requests of a revision.
 */
export const STEP_INPUTS_PARTIAL = '_step_inputs';

export function renderAppendix(liquid: Liquid, appendix: InputsAppendix, vars: Readonly<Record<string, unknown>>): string {
  const blanks = Object.fromEntries(appendix.shown.map((name) => [name, '']));
  const workflow = String(liquid.renderFileSync(INPUTS_PARTIAL, { ...vars, ...blanks }));
  const step = String(liquid.renderFileSync(STEP_INPUTS_PARTIAL, { ...vars, ...blanks })).trim();
  return step === '' ? workflow : `${workflow.trimEnd()}\n\n${step}\n`;
}

// The parent's step-1 template asks the user for these; the model must know they are the answer.
export const APPENDIX_LEAD = "The workflow's inputs follow; they answer any request above for user input.";

/** The template's text, then the lead line and the inputs, a blank line apart. */
export function withAppendix(text: string, block: string): string {
  return `${text}${text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n'}${APPENDIX_LEAD}\n\n${block}`;
}

function appendixFor(shown: ReadonlySet<string>): InputsAppendix | undefined {
  return shown.has('requirements') ? undefined : { shown: [...shown].sort() };
}

function usedVariables(liquid: Liquid, templates: Template[]): Set<string> {
  let segments;
  try {
    segments = liquid.globalVariableSegmentsSync(templates);
  } catch {
    // An include of a partial that does not exist fails when rendered, if ever; judge the rest.
    segments = liquid.globalVariableSegmentsSync(templates, { partials: false });
  }
  return new Set(segments.map((segment) => String(segment[0])));
}
