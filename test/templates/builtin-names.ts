/** The seven built-in templates, in step order, as the seed names them. */
export const BUILTINS = [
  'step1_initial_planner_prompt_template.md',
  'step2_plan_validator_prompt_template.md',
  'step3_revision_planner_prompt_template.md',
  'step4_programmer_prompt_template.md',
  'step5a_two_level_validation_agent_prompt_template.md',
  'step5b_two_level_standardization_validation_agent_prompt_template.md',
  'step6_code_refinement_programmer_prompt_template.md',
];
