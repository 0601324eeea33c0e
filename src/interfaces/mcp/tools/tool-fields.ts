/**
 * Input fields several tools share, each described for the calling model.
 */
import { z } from 'zod';

export const workflowIdField = z
  .string()
  .min(1)
  .describe('The workflow id, e.g. "wf-1a2b3c4d5e", as returned by start_workflow or list_workflows.');

export const commentField = z.string().describe('A comment recorded with the decision.').optional();

export const changeRequestsField = z
  .array(z.string().min(1).describe('One change, in a sentence.'))
  .describe('The changes to make; they appear in the revising step\'s prompt.')
  .optional();
