/**
 * The URIs of Converge's MCP resources, built in one place so tools can link to them.
 */
export const uris = {
  state: (id: string) => `converge://workflows/${id}/state`,
  events: (id: string) => `converge://workflows/${id}/events`,
  artifact: (id: string, artifact: string, version: number | 'latest') => `converge://workflows/${id}/artifacts/${artifact}/${version}`,
  report: (id: string, round: number | 'latest') => `converge://workflows/${id}/reports/${round}`,
  pendingApproval: (id: string) => `converge://workflows/${id}/pending-approval`,
  review: (id: string) => `converge://workflows/${id}/review`,
  stepTrace: (id: string, step: number) => `converge://workflows/${id}/steps/${step}/trace`,
  criteria: 'converge://criteria',
  template: (name: string) => `converge://templates/${name}`,
};

/** The workflow a resource URI belongs to, or undefined for the store-wide ones. */
export function workflowOfUri(uri: string): string | undefined {
  return /^converge:\/\/workflows\/([^/]+)\//.exec(uri)?.[1];
}
