/** Codex 0.169.0 as the Programmer, offline: see real-cli-suite.ts. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_URLS } from '../../helpers/real-cli/real-cli-project.js';
import { realCliSuite } from './real-cli-suite.js';

realCliSuite('codex', {
  env: { OPENAI_API_KEY: 'sk-fake-key-for-codex-0000000002' },
  // A model whose metadata Codex ships, so it offers its apply_patch tool as it would with OpenAI.
  programmer: { model: 'gpt-5.5' },
  standInHome(home) {
    // The login `codex login --with-api-key` stores, and the user's config.toml naming their own gateway.
    const key = 'sk-stand-in-login-from-auth-json-0003';
    mkdirSync(join(home, '.codex'), { recursive: true });
    writeFileSync(join(home, '.codex', 'auth.json'), JSON.stringify({ OPENAI_API_KEY: key }), { mode: 0o600 });
    const toml = [
      'model = "gpt-5.5"',
      'model_provider = "stand_in_gateway"',
      '',
      '[model_providers.stand_in_gateway]',
      'name = "The user\'s gateway"',
      `base_url = "${BASE_URLS.codex}"`,
      'wire_api = "responses"',
      'requires_openai_auth = true',
      '',
    ].join('\n');
    writeFileSync(join(home, '.codex', 'config.toml'), toml);
    // Converge names neither model nor gateway: both come from the user's config.
    return { credential: key, model: 'gpt-5.5', programmer: { model: null, base_url: null } };
  },
});
