/**
 * Checks and profiles. A check is a command of the definition or profile — never of agent
 * output. A profile adapts a definition to a domain: artifact kinds, file locations, task types,
 * checks and knowledge globs.
 */
import { z } from 'zod';

export const CheckFormatSchema = z.enum([
  'exit_code',
  'junit',
  'tap',
  'sarif',
  'coverage_istanbul',
  'lcov',
  'cobertura',
]);
export type CheckFormat = z.infer<typeof CheckFormatSchema>;

/**
 * How a process that runs agent-influenced code is confined: `bwrap` (bubblewrap, Linux), `none`,
 * or `auto` — bwrap when this machine has a working one, else none with a warning.
 */
export const SandboxModeSchema = z.enum(['auto', 'bwrap', 'none']);
export type SandboxMode = z.infer<typeof SandboxModeSchema>;

export const CheckSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'must be lower-case letters, digits, "_" or "-"'),
    name: z.string().optional(),
    /** argv: the program and its arguments. A string is allowed only with `shell: true`. */
    command: z.union([z.array(z.string().min(1)).min(1), z.string().min(1)]),
    shell: z.boolean().default(false),
    cwd: z.string().optional(),
    timeout_s: z.number().positive().default(300),
    /** Environment variables passed through from Converge's environment (besides PATH, HOME, LANG). */
    env_allow: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    level: z.union([z.literal(2), z.literal(3)]).default(2),
    required: z.boolean().default(true),
    format: CheckFormatSchema.default('exit_code'),
    /** Where the check writes its report (JUnit XML, SARIF, coverage…), relative to the check's cwd; stdout when absent. */
    report: z.string().optional(),
    max_output_bytes: z.number().int().positive().default(64 * 1024),
    /** Overrides converge.yaml's `sandbox` for this check. */
    sandbox: SandboxModeSchema.optional(),
    /**
     * Runs alone: the checks before it have finished and none after it starts until it ends (a build
     * whose output later checks read, or a check that must not share the machine). Others run at once.
     */
    serial: z.boolean().optional(),
    /** Checks run without network unless they need it (a test that downloads, an integration test). */
    network: z.boolean().default(false),
    /** Run the check only when the project has what it needs; otherwise it is skipped, not failed. */
    when: z
      .strictObject({
        /** Any of these paths exists in the workspace (relative; `*` globs allowed). */
        exists: z.array(z.string()).optional(),
        /** package.json lists any of these (dependencies or devDependencies). */
        dependency: z.array(z.string()).optional(),
        /** package.json lists none of these. */
        no_dependency: z.array(z.string()).optional(),
      })
      .optional(),
  })
  .refine((c) => c.shell || Array.isArray(c.command), {
    message: 'a string command needs `shell: true`; otherwise give an argv list like ["npx", "tsc", "--noEmit"]',
    path: ['command'],
  });
export type Check = z.infer<typeof CheckSchema>;

export const ArtifactKindSchema = z.strictObject({
  id: z.string(),
  path: z.string().optional(),
  lang: z.string().optional(),
  order: z.number().int().optional(),
  depends_on: z.array(z.string()).default([]),
});

export const KnowledgeSourceSchema = z.strictObject({
  glob: z.string(),
  priority: z.enum(['high', 'medium', 'low']).default('medium'),
  kind: z.enum(['doc', 'example']).default('doc'),
});

/** Dimension name (or `overall` for the weighted overall) → the score labels reports use for it. */
export const ReportLabelsSchema = z.record(z.string().min(1), z.array(z.string().min(1)));
export type ReportLabels = z.infer<typeof ReportLabelsSchema>;

export const ProfileSchema = z.strictObject({
  id: z.string(),
  description: z.string().default(''),
  task_types: z.array(z.string()).default([]),
  artifact_kinds: z.array(ArtifactKindSchema).default([]),
  workspace: z
    .strictObject({
      shared_root: z.string().default('.'),
      isolated_root: z.string().optional(),
      read_only: z.array(z.string()).default([]),
    })
    .default({ shared_root: '.', read_only: [] }),
  checks: z.array(CheckSchema).default([]),
  /** Paths (globs, workspace-relative) whose change by an agent needs a person's eyes before approval. */
  protected_paths: z.array(z.string().min(1)).default([]),
  knowledge: z.array(KnowledgeSourceSchema).default([]),
  naming: z.record(z.string(), z.string()).default({}),
  /** The score labels of this domain's reports (see ReportLabelsSchema). */
  report_labels: ReportLabelsSchema.default({}),
  /**
   * Rubric id → dimension → weight, replacing the definition's weights (the domain knows how its
   * reports weigh the dimensions). Rubrics or dimensions the definition does not have are ignored.
   */
  rubric_weights: z.record(z.string().min(1), z.record(z.string().min(1), z.number().min(0))).default({}),
});
export type Profile = z.infer<typeof ProfileSchema>;
