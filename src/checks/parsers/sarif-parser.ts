/**
 * SARIF 2.1.0, as written by @microsoft/eslint-formatter-sarif (and most static analysers).
 * Levels map to severities: error → major, warning → minor, note/none → info. Suppressed
 * results (`eslint-disable` with a justification) and non-failing kinds (`pass`) are dropped.
 */
import { z } from 'zod';
import type { Issue, Severity } from '../../core/records.js';
import { issueStamp, ReportParseError, type ParsedReport, type ParseReportOptions } from './parsed-report.js';
import { firstLine, plural, stripFileUrl, toLine } from './report-text.js';

const LevelSchema = z.enum(['error', 'warning', 'note', 'none']);
type Level = z.infer<typeof LevelSchema>;

const ArtifactLocationSchema = z.looseObject({
  uri: z.string().optional(),
  uriBaseId: z.string().optional(),
  index: z.number().int().optional(),
});

const ResultSchema = z.looseObject({
  ruleId: z.string().optional(),
  ruleIndex: z.number().int().optional(),
  kind: z.string().optional(),
  level: LevelSchema.optional(),
  message: z.looseObject({ text: z.string().optional(), markdown: z.string().optional() }).optional(),
  locations: z
    .array(
      z.looseObject({
        physicalLocation: z
          .looseObject({
            artifactLocation: ArtifactLocationSchema.optional(),
            region: z.looseObject({ startLine: z.number().optional() }).optional(),
          })
          .optional(),
      }),
    )
    .optional(),
  suppressions: z.array(z.unknown()).optional(),
});

const RunSchema = z.looseObject({
  tool: z
    .looseObject({
      driver: z
        .looseObject({
          rules: z
            .array(z.looseObject({ defaultConfiguration: z.looseObject({ level: LevelSchema.optional() }).optional() }))
            .optional(),
        })
        .optional(),
    })
    .optional(),
  originalUriBaseIds: z.record(z.string(), z.looseObject({ uri: z.string().optional() })).optional(),
  artifacts: z.array(z.looseObject({ location: ArtifactLocationSchema.optional() })).optional(),
  results: z.array(ResultSchema).optional(),
});
type Run = z.infer<typeof RunSchema>;
type Result = z.infer<typeof ResultSchema>;

const SarifSchema = z.looseObject({ version: z.string().optional(), runs: z.array(RunSchema) });

const SEVERITY: Record<Level, Severity> = { error: 'major', warning: 'minor', note: 'info', none: 'info' };

export function parseSarif(text: string, options: ParseReportOptions = {}): ParsedReport {
  if (text.trim() === '') throw new ReportParseError('sarif', 'the report is empty');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ReportParseError('sarif', `invalid JSON: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  const parsed = SarifSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first === undefined || first.path.length === 0 ? '' : ` at ${first.path.join('.')}`;
    throw new ReportParseError('sarif', `not a SARIF log${where}: ${first?.message ?? 'unexpected shape'}`);
  }

  const issues: Issue[] = [];
  const byLevel: Record<Level, number> = { error: 0, warning: 0, note: 0, none: 0 };
  for (const run of parsed.data.runs) {
    for (const result of run.results ?? []) {
      if ((result.suppressions?.length ?? 0) > 0) continue;
      if (result.kind !== undefined && result.kind !== 'fail') continue;
      const level = result.level ?? run.tool?.driver?.rules?.[result.ruleIndex ?? -1]?.defaultConfiguration?.level ?? 'warning';
      byLevel[level] += 1;
      issues.push(toIssue(run, result, level, options));
    }
  }
  return { issues, summary: summarise(byLevel), failed: byLevel.error > 0 };
}

function toIssue(run: Run, result: Result, level: Level, options: ParseReportOptions): Issue {
  const text = firstLine(result.message?.text ?? result.message?.markdown) || (result.ruleId ?? 'finding');
  const issue: Issue = { ...issueStamp(options), severity: SEVERITY[level], message: text };
  if (result.ruleId !== undefined) issue.code = result.ruleId;
  const physical = result.locations?.[0]?.physicalLocation;
  const file = physical?.artifactLocation === undefined ? undefined : resolveUri(run, physical.artifactLocation);
  if (file !== undefined) {
    const line = toLine(physical?.region?.startLine);
    issue.location = line === undefined ? { file } : { file, line };
  }
  return issue;
}

function resolveUri(run: Run, location: z.infer<typeof ArtifactLocationSchema>): string | undefined {
  const uri = location.uri ?? (location.index === undefined ? undefined : run.artifacts?.[location.index]?.location?.uri);
  if (uri === undefined) return undefined;
  if (uri.startsWith('file:')) return stripFileUrl(uri);
  const base = location.uriBaseId === undefined ? undefined : run.originalUriBaseIds?.[location.uriBaseId]?.uri;
  const joined = base === undefined ? uri : `${base.replace(/\/?$/, '/')}${uri}`;
  if (joined.startsWith('file:')) return stripFileUrl(joined);
  try {
    return decodeURIComponent(joined);
  } catch {
    return joined;
  }
}

function summarise(byLevel: Record<Level, number>): string {
  const total = byLevel.error + byLevel.warning + byLevel.note + byLevel.none;
  if (total === 0) return 'no findings';
  const parts = [plural(byLevel.error, 'error'), plural(byLevel.warning, 'warning')];
  if (byLevel.note + byLevel.none > 0) parts.push(plural(byLevel.note + byLevel.none, 'note'));
  return `${plural(total, 'finding')}: ${parts.join(', ')}`;
}
