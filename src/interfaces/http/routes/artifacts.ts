/**
 * Artifacts: the versions of each (plan, code), one version's text and files, and diffs between
 * versions. Everything comes from the recorded log, never from the disk: a path parameter is a
 * key into the recorded files, so no request can read a file outside the store.
 */
import type { Hono } from 'hono';
import { ConvergeError } from '../../../core/errors.js';
import type { WorkflowState } from '../../../core/state.js';
import { artifactFilesAt, artifactVersions, diffArtifactVersions, roundDiffs } from '../../../engine/artifact-diffs.js';
import { loadState } from '../../../engine/workflow-log.js';
import type { AppDeps, AppEnv } from '../app-env.js';
import { notFound } from '../http-errors.js';
import { requireRole } from '../middleware/require-role/index.js';
import { ARTIFACT_PATTERN, DiffQuerySchema, FileQuerySchema } from '../schemas.js';
import { artifactsView } from '../workflow-usage-views.js';
import { readQuery, workflowIdOf } from './route-helpers.js';

export function registerArtifactRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const { engine, audit } = deps;
  const viewer = requireRole('viewer', audit);

  app.get('/api/workflows/:id/artifacts', viewer, async (c) => {
    const id = workflowIdOf(c);
    return c.json({ workflow_id: id, items: artifactsView(await loadState(engine.store, id)) });
  });

  app.get('/api/workflows/:id/diffs', viewer, async (c) => {
    const state = await loadState(engine.store, workflowIdOf(c));
    return c.json({ workflow_id: state.workflowId, items: roundDiffs(state).map((d) => ({ artifact: d.artifact, from: d.fromVersion, to: d.toVersion, step_id: d.stepId, at: d.at, diff: d.diff })) });
  });

  app.get('/api/workflows/:id/artifacts/:artifact/diff', viewer, async (c) => {
    const { state, artifact } = await artifactOf(c.req.param('artifact'), await loadState(engine.store, workflowIdOf(c)));
    const q = readQuery(c, DiffQuerySchema);
    const diff = diffArtifactVersions(state, artifact, q.from, q.to, { context: q.context });
    return c.json({ workflow_id: state.workflowId, artifact, from: q.from, to: q.to, diff });
  });

  app.get('/api/workflows/:id/artifacts/:artifact/versions/:version', viewer, async (c) => {
    const { state, artifact } = await artifactOf(c.req.param('artifact'), await loadState(engine.store, workflowIdOf(c)));
    const found = versionOf(state, artifact, c.req.param('version'));
    return c.json({
      workflow_id: state.workflowId,
      artifact,
      version: found.version,
      step_id: found.stepId,
      action_id: found.actionId,
      at: found.at,
      content: found.content,
      files: found.files.map((f) => ({ path: f.path, action: f.action, chars: f.content?.length ?? 0 })),
    });
  });

  app.get('/api/workflows/:id/artifacts/:artifact/versions/:version/file', viewer, async (c) => {
    const { state, artifact } = await artifactOf(c.req.param('artifact'), await loadState(engine.store, workflowIdOf(c)));
    const found = versionOf(state, artifact, c.req.param('version'));
    const { path } = readQuery(c, FileQuerySchema);
    assertRelativePath(path);
    const files = artifactFilesAt(state, artifact, found.version);
    const content = files.get(path);
    if (content === undefined) throw notFound(`Version ${found.version} of ${artifact} has no file ${path}.`, `Its files: ${[...files.keys()].slice(0, 20).join(', ') || 'none'}.`);
    return c.json({ workflow_id: state.workflowId, artifact, version: found.version, path, content });
  });
}

async function artifactOf(raw: string | undefined, state: WorkflowState) {
  const artifact = raw ?? '';
  if (!ARTIFACT_PATTERN.test(artifact) || !state.outputs.some((o) => o.output.artifact === artifact)) {
    const known = [...new Set(state.outputs.map((o) => o.output.artifact))];
    throw notFound(`Workflow ${state.workflowId} has no artifact ${JSON.stringify(artifact.slice(0, 64))}.`, `Its artifacts: ${known.join(', ') || 'none yet'}.`);
  }
  return { state, artifact };
}

function versionOf(state: WorkflowState, artifact: string, raw: string | undefined) {
  const version = /^\d{1,6}$/.test(raw ?? '') ? Number(raw) : Number.NaN;
  const found = artifactVersions(state, artifact).find((v) => v.version === version);
  if (found === undefined) throw notFound(`Workflow ${state.workflowId} has no ${artifact} version ${JSON.stringify((raw ?? '').slice(0, 20))}.`);
  return found;
}

/** Recorded paths are workspace-relative; anything else is refused before the lookup. */
function assertRelativePath(path: string): void {
  const parts = path.split(/[\\/]/);
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.includes('\0') || parts.some((p) => p === '..')) {
    throw new ConvergeError('PATH_ESCAPE', `The path ${JSON.stringify(path.slice(0, 200))} is not a workspace-relative file path.`, {
      hint: 'Use a path as listed in the version\'s files, e.g. src/index.ts.',
      details: { field: 'path' },
    });
  }
}
