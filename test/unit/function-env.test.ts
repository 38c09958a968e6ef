import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/config/config.js';
import { CollectEnv, EdgeEnv, parseFunctionEnv, ReportEnv } from '../../shared/config/function-env.js';

const MANAGER = 'arn:aws:iam::123456789012:role/socpulse-prod-manager';

describe('function environment schemas', () => {
  it('parse what the stack sets, the role ARNs from their JSON', () => {
    const env = parseFunctionEnv(EdgeEnv, {
      SOCPULSE_TABLE: 't',
      SOCPULSE_ROLE_ARNS: JSON.stringify({ manager: MANAGER }),
      SOCPULSE_REPORT_FUNCTION: 'socpulse-report',
    });
    expect(env).toEqual({
      SOCPULSE_TABLE: 't',
      SOCPULSE_ROLE_ARNS: { manager: MANAGER },
      SOCPULSE_REPORT_FUNCTION: 'socpulse-report',
    });
  });

  it('name every missing variable in one error, at once', () => {
    expect(() => parseFunctionEnv(ReportEnv, {})).toThrow(
      new ConfigError('environment: SOCPULSE_TABLE is not set; SOCPULSE_SES_CONFIGURATION_SET is not set'),
    );
    // The secrets prefix has no quiet default: a collect function without it does not start.
    expect(() => parseFunctionEnv(CollectEnv, { SOCPULSE_TABLE: 't' })).toThrow(
      'environment: SOCPULSE_SECRETS_PREFIX is not set',
    );
  });

  it('refuse a broken role ARN list naming the variable and the problem, never quoting the value', () => {
    const base = { SOCPULSE_TABLE: 't', SOCPULSE_REPORT_FUNCTION: 'r' };
    const problem = (roleArns: string) => {
      try {
        parseFunctionEnv(EdgeEnv, { ...base, SOCPULSE_ROLE_ARNS: roleArns });
      } catch (e) {
        return (e as Error).message;
      }
      return 'parsed';
    };
    expect(problem('{"manager": "secret-looking-value"')).toBe('environment: SOCPULSE_ROLE_ARNS: not JSON');
    expect(problem('{}')).toBe('environment: SOCPULSE_ROLE_ARNS: no role ARNs');
    expect(problem(JSON.stringify({ manager: 'arn:aws:iam::123:role/x' }))).toBe(
      'environment: SOCPULSE_ROLE_ARNS.manager: not an IAM role ARN',
    );
    expect(problem(JSON.stringify({ admin: MANAGER }))).toMatch(/^environment: SOCPULSE_ROLE_ARNS: /);
    expect(problem(JSON.stringify({ manager: MANAGER }))).toBe('parsed');
  });

  it('refuse an empty value as firmly as a missing one', () => {
    expect(() =>
      parseFunctionEnv(EdgeEnv, {
        SOCPULSE_TABLE: '',
        SOCPULSE_ROLE_ARNS: JSON.stringify({ manager: MANAGER }),
        SOCPULSE_REPORT_FUNCTION: 'r',
      }),
    ).toThrow('environment: SOCPULSE_TABLE: is empty');
  });
});
