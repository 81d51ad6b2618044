import { describe, expect, it } from 'vitest';
import { configVariableName } from './installation-config.ts';

describe('configVariableName', () => {
  it('upper-snake-cases the extension id and the field', () => {
    expect(configVariableName('github', 'clientId')).toBe('MASKIN_EXT_GITHUB_CLIENT_ID');
    expect(configVariableName('github', 'client_secret')).toBe('MASKIN_EXT_GITHUB_CLIENT_SECRET');
    expect(configVariableName('daily-digest', 'smtpHost2')).toBe('MASKIN_EXT_DAILY_DIGEST_SMTP_HOST2');
    expect(configVariableName('a1-b', 'oauthURL')).toBe('MASKIN_EXT_A1_B_OAUTH_URL');
  });
});
