/**
 * Gemini CLI 0.61.0 as the Programmer, offline: see real-cli-suite.ts. It passes the same tests as
 * the others, but it is a Node program that spends ~3 s of CPU starting (against ~0.3 s for the
 * native Claude Code and Codex), so each of its runs costs 10-20 s on a busy 2-core CI machine. To
 * keep CI short only the whole workflow and the 401 run here; the timeout, 500-storm and
 * `home: inherit` tests were run by hand (see the README's Gemini CLI notes).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { realCliSuite } from './real-cli-suite.js';

realCliSuite('gemini', {
  env: { GEMINI_API_KEY: 'fake-key-for-gemini-0000000003' },
  // A model of its own: with none, Gemini CLI picks one per request (a side request) and, on
  // errors, falls back to its Flash model with 10 attempts of its own, past the preset's `retries`.
  programmer: { model: 'gemini-2.5-pro' },
  only: ['auth'],
  slowness: 2,
  standInHome(home) {
    // The key a user keeps in ~/.gemini/.env, and settings that chose API-key auth and a model.
    const key = 'stand-in-gemini-key-from-dot-env-0004';
    mkdirSync(join(home, '.gemini'), { recursive: true });
    writeFileSync(join(home, '.gemini', '.env'), `GEMINI_API_KEY=${key}\n`, { mode: 0o600 });
    const settings = { security: { auth: { selectedType: 'gemini-api-key' } }, model: { name: 'gemini-stand-in-model' } };
    writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify(settings));
    // The model comes from the user's settings, not from Converge.
    return { credential: key, model: 'gemini-stand-in-model', programmer: { model: null } };
  },
});
