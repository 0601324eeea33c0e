import { afterEach, describe, expect, it } from 'vitest';
import { REDACTED, redactRecord, redactText, registerSecret, registerUrlCredentials, secretsInEnvironment } from '../../src/store/record-redaction.js';

describe('record redaction', () => {
  const names: string[] = [];
  const setEnv = (name: string, value: string): void => {
    process.env[name] = value;
    names.push(name);
  };
  afterEach(() => {
    for (const name of names.splice(0)) delete process.env[name];
  });

  describe('secretsInEnvironment', () => {
    it('takes values under KEY, TOKEN, SECRET, PASSWORD and CREDENTIAL names, in any case', () => {
      const values = secretsInEnvironment({
        ANTHROPIC_API_KEY: 'sk-ant-111111',
        github_token: 'ghp_22222222',
        DB_PASSWORD: 'hunter22',
        MY_SECRET: 'shhhhhhh',
        GOOGLE_APPLICATION_CREDENTIALS: '/etc/gcp.json',
        PATH: '/usr/bin',
        HOME: '/root',
      });
      expect(values.sort()).toEqual(['/etc/gcp.json', 'ghp_22222222', 'hunter22', 'shhhhhhh', 'sk-ant-111111'].sort());
    });

    it('ignores values too short to redact without garbling text', () => {
      expect(secretsInEnvironment({ SOME_KEY: '1', OTHER_TOKEN: 'true' })).toEqual([]);
    });
  });

  describe('redactText', () => {
    it('replaces the value of a credential-named variable read from the environment at write time', () => {
      setEnv('CONVERGE_UNIT_SERVICE_KEY', 'value-abc-123456');
      expect(redactText('got value-abc-123456 from env')).toBe(`got ${REDACTED} from env`);
    });

    it('replaces a registered value whose variable name does not look like a key', () => {
      registerSecret('plain-named-value-998877');
      expect(redactText('x plain-named-value-998877 y')).toBe(`x ${REDACTED} y`);
    });

    it('replaces the password of a store URL', () => {
      registerUrlCredentials('postgres://converge:pg-pass-5566aa@db:5432/converge');
      expect(redactText('connect failed: pg-pass-5566aa')).toBe(`connect failed: ${REDACTED}`);
    });

    it('replaces anything shaped like a Converge token secret', () => {
      const token = `cv_${'a1B2'.repeat(11)}`;
      expect(redactText(`Authorization: Bearer ${token}`)).toBe(`Authorization: Bearer ${REDACTED}`);
    });

    it('replaces a longer secret whole when it contains a shorter one', () => {
      setEnv('CONVERGE_UNIT_SHORT_KEY', 'abcdef123');
      setEnv('CONVERGE_UNIT_LONG_KEY', 'abcdef123-and-more');
      expect(redactText('abcdef123-and-more')).toBe(REDACTED);
    });
  });

  describe('redactRecord', () => {
    it('returns the very same object when nothing is secret', () => {
      const record = { a: 'text', list: ['x', { y: 'z' }], n: 1, none: null };
      expect(redactRecord(record)).toBe(record);
    });

    it('copies only the branches that change and never edits its input', () => {
      setEnv('CONVERGE_UNIT_NESTED_TOKEN', 'nested-secret-4242');
      const untouched = { keep: 'me' };
      const record = { untouched, deep: { list: ['ok', 'the nested-secret-4242 value'] } };
      const out = redactRecord(record);
      expect(out).not.toBe(record);
      expect(out.untouched).toBe(untouched);
      expect(out.deep.list).toEqual(['ok', `the ${REDACTED} value`]);
      expect(record.deep.list[1]).toBe('the nested-secret-4242 value');
    });
  });
});
