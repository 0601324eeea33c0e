/**
 * The text a calling model reads for a next action. Many clients hand the model only the text
 * content of a tool result, so the prompts and the exact submission format are spelled out here,
 * not only in `structuredContent`.
 */
import type { ConvergenceSummary, NextAction } from '../../engine/next-action.js';

export function nextActionText(action: NextAction): string {
  switch (action.kind) {
    case 'none':
      return `Workflow ${action.workflow_id}: ${action.status}${action.paused ? ' (paused)' : ''}. ${action.message}`;
    case 'respond_to_approval':
      return [
        `Workflow ${action.workflow_id} waits for approval "${action.gate.id}" after step ${action.step.number} (${action.step.id}).`,
        summaryText(action.summary),
        action.how,
        `Answer with respond_to_approval { workflow_id: "${action.workflow_id}", decision: "approve" | "reject" | "request_changes", comment?, change_requests? }.`,
        'Ask the user before approving unless they told you to approve on their behalf.',
      ].join('\n');
    case 'answer_escalation':
      return [
        `Workflow ${action.workflow_id} escalated to a human (${action.reason}) at step ${action.step.number} (${action.step.id}): ${action.message}`,
        ...(action.summary ? [summaryText(action.summary)] : []),
        action.how,
        `Answer with answer_escalation { workflow_id: "${action.workflow_id}", answer: ${action.answers.map((a) => `"${a}"`).join(' | ')}, rounds?, change_requests?, comment? }.`,
      ].join('\n');
    case 'submit_step_result': {
      const parts = [
        `Workflow ${action.workflow_id} waits for the result of step ${action.step_number} (${action.step_id}${action.step_name ? `, ${action.step_name}` : ''}) — role: ${action.role}, attempt ${action.attempt}.`,
        `Workspace: ${action.workspace.path} (${action.workspace.type}). ${action.workspace.note}`,
      ];
      if (action.change_requests.length > 0) parts.push(`Change requests from a human: ${action.change_requests.map((c) => `"${c}"`).join('; ')}.`);
      if (action.previous_error) parts.push(`The previous submission was refused: ${action.previous_error}`);
      action.prompts.forEach((p, i) => {
        parts.push('', `===== Prompt ${i + 1} of ${action.prompts.length} (${p.template}) =====`, p.text, `===== End of prompt ${i + 1} =====`);
      });
      parts.push(
        '',
        `Expected output (${action.expected_output.format}): ${action.expected_output.description}`,
        `Submit with submit_step_result { workflow_id: "${action.workflow_id}", step_number: ${action.step_number}, ${action.expected_output.texts === 1 ? 'text: "…"' : `texts: [${Array.from({ length: action.expected_output.texts }, (_, i) => `"report for prompt ${i + 1}"`).join(', ')}]`} }.`,
      );
      return parts.join('\n');
    }
  }
}

export function summaryText(summary: ConvergenceSummary): string {
  const scores = summary.scores
    .map((s) => `${s.dimension} ${s.score === null ? 'MISSING' : s.score}${s.min !== undefined ? ` (needs ≥ ${s.min})` : ''}`)
    .join(', ');
  const checks = summary.checks.map((c) => `${c.id} ${c.status}${c.required ? '' : ' (optional)'}`).join(', ');
  return [
    `Round ${summary.round} of step ${summary.step_number}: ${summary.converged ? 'converged' : 'not converged'}.`,
    scores ? `Scores: ${scores}${summary.weighted !== undefined ? `; weighted ${summary.weighted}` : ''}.` : '',
    `Issues: ${summary.issues.critical} critical, ${summary.issues.major} major, ${summary.issues.minor} minor.`,
    checks ? `Checks: ${checks}.` : '',
    summary.unmet.length > 0 ? `Unmet: ${summary.unmet.join('; ')}.` : `Met: ${summary.met.join('; ')}.`,
  ]
    .filter((line) => line !== '')
    .join('\n');
}
