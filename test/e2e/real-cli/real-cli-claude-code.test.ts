/** Claude Code 2.1.332 as the Programmer, offline: see real-cli-suite.ts. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { realCliSuite } from './real-cli-suite.js';

realCliSuite('claude-code', {
  env: { ANTHROPIC_API_KEY: 'sk-ant-fake-key-for-claude-0001' },
  standInHome(home) {
    // A Claude Pro/Max login as `claude /login` stores it, and the user's settings choosing a model.
    const accessToken = 'sk-ant-oat01-stand-in-login-0000000000';
    mkdirSync(join(home, '.claude'), { recursive: true });
    const login = { claudeAiOauth: { accessToken, refreshToken: 'sk-ant-ort01-stand-in-refresh', expiresAt: 4_102_444_800_000, scopes: ['user:inference', 'user:profile'], subscriptionType: 'max' } };
    writeFileSync(join(home, '.claude', '.credentials.json'), JSON.stringify(login), { mode: 0o600 });
    writeFileSync(join(home, '.claude', 'settings.json'), JSON.stringify({ model: 'claude-stand-in-model' }));
    return { credential: accessToken, model: 'claude-stand-in-model' };
  },
});
