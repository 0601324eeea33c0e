/**
 * The preset dictionary of stored event bodies, version 1 (store/event-codec.ts). Event bodies are
 * a few hundred bytes of JSON whose keys, enum values and decision wording repeat from one event to
 * the next; deflate alone barely shrinks a text that short, but with this vocabulary given up front
 * it stores about a third of the bytes. The text is Converge's own: event keys and values, the
 * wording of decide()'s rationales, and the report fields.
 *
 * Never edit this text: rows written with it must stay readable. A better dictionary is a new
 * constant with a new version byte, and the codec keeps reading both.
 */
export const EVENT_DICTIONARY_V1 = Buffer.from(
  [
    '{"actionId":"","stepId":"plan","attempt":1,"timeoutMs":300000,"decisionType":"invoke_agent","rationale":"","decisionSource":"core","agent":"scripted:","notBefore":"","recoveryStrategy":"wait_and_retry","changeRequests":[]}',
    '{"stepId":"validate_plan","stepId":"revise_plan","stepId":"implement","stepId":"validate_code","stepId":"refine_code","stepId":"revalidate_code","decisionType":"transition_phase","decisionType":"retry_with_recovery"}',
    '{"output":{"artifact":"plan","content":"# Implementation Plan: \\n\\n## Overview\\n","files":[]},"usage":[],"calls":1}',
    '{"output":{"artifact":"code","content":"# File: src/\\n```typescript\\n","files":[{"path":"src/","action":"update","content":""},{"path":"","action":"create","content":""}],"refusedPaths":[]},"usage":[{"provider":"","model":"","inputTokens":,"outputTokens":,"cachedInputTokens":0,"costUsd":}],"calls":1}',
    '{"results":[{"toolId":"typecheck","level":2,"required":true,"issues":[],"status":"passed","summary":"exited with code 0","exitCode":0,"durationMs":}]}',
    '{"report":{"kind":"plan","scoreCard":{"dimensions":{"alignment":9,"standardization":8,"compatibility":9},"weighted":,"missing":[]},"issues":[{"severity":"critical","source":"llm","level":1,"message":"","location":{"file":"src/","line":}},{"severity":"major","source":"check","level":2},{"severity":"minor","source":"llm","level":1}],"toolResults":[],"overall":"fail","summary":"- Alignment Score: /10\\n- Standardization Score: /10\\n- Compatibility Score: /10"},"usage":[],"calls":2}',
    '{"report":{"kind":"code","scoreCard":{"dimensions":{"alignment":,"standardization":},"missing":[]},"issues":[],"toolResults":[{"toolId":"tests","status":"failed","summary":"failed with exit code 1","exitCode":1}],"summary":""}}',
    '{"failure":{"class":"rate_limited","message":"","retryAfterMs":},"failure":{"class":"timeout"},"failure":{"class":"invalid_output"},"failure":{"class":"provider_down"},"failure":{"class":"interrupted"}}',
    '{"gateId":"plan_approval","interactionId":"","stepId":"validate_plan","timeoutAt":""}{"gateId":"final_approval","stepId":"revalidate_code"}',
    '{"interactionId":"","decision":"approve","comment":"approved automatically (--auto-approve)","changeRequests":[],"actor":{"id":"auto-approve","via":"engine"},"automatic":"auto_approve"}',
    '{"decision":"request_changes","actor":{"id":"","via":"cli"},"decision":"reject","actor":{"via":"http"},"actor":{"via":"mcp"}}',
    '{"from":"phase_1","to":"phase_2","trigger":"Approved at \\"plan_approval\\". Moving from phase_1 to phase_2."}',
    '{"escalationId":"","reason":"cap_reached","loopId":"code_loop","message":"","answer":{"kind":"grant_rounds","rounds":1}}',
    'Step 1 (plan) produced plan; its next step follows. Step 3 (revise_plan) produced plan; its next step follows. ',
    'Step 4 (implement) produced code; its next step follows. Step 6 (refine_code) produced code; its next step follows. ',
    'Not converged: alignment  < 9.0, critical issues  > 0, check  failed.  of 5 rounds of validate_plan used; revising.  of 3 rounds of refine_code used; revising. ',
    'Converged: alignment  ≥ 9.0, standardization  ≥ 8.0, compatibility  ≥ 8.0, critical issues 0 ≤ 0, minor issues  ≤ 2, check  passed. Approval "final_approval" is required. ',
    'The workflow starts with its first step. Approved at "final_approval". The workflow is complete. Retry  of  with extended_timeout.',
  ].join(''),
  'utf8',
);
