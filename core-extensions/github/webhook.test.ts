import { describe, expect, it } from 'vitest';
import { githubWebhook, signGitHub } from './webhook.ts';

const request = (body: string, headers: Record<string, string>) => ({
  headers: new Headers(headers),
  body: Buffer.from(body),
  now: new Date(),
});

describe('GitHub webhook signatures', () => {
  it("matches GitHub's published test vector", () => {
    expect(signGitHub("It's a Secret to Everybody", 'Hello, World!')).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
    const verdict = githubWebhook(() => "It's a Secret to Everybody").verify(
      request('Hello, World!', {
        'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
      }),
    );
    expect(verdict).toEqual({ ok: true });
  });

  it('refuses a forged, truncated, missing or unconfigured signature', () => {
    const hook = githubWebhook(() => "It's a Secret to Everybody");
    const forged = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18';
    expect(hook.verify(request('Hello, World!', { 'x-hub-signature-256': forged })).ok).toBe(false);
    expect(hook.verify(request('Hello, World!', { 'x-hub-signature-256': forged.slice(0, 20) })).ok).toBe(
      false,
    );
    expect(hook.verify(request('Hello, World!', {})).ok).toBe(false);
    expect(
      hook.verify(
        request('Hello, World!!', {
          'x-hub-signature-256': signGitHub("It's a Secret to Everybody", 'Hello, World!'),
        }),
      ).ok,
    ).toBe(false);
    expect(githubWebhook(() => undefined).verify(request('x', {}))).toEqual({
      ok: false,
      reason: 'not_configured',
    });
  });

  it('normalises a pull request to github.pull_request.opened with its installation and delivery', () => {
    const parsed = githubWebhook(() => 's').parse(
      request(
        JSON.stringify({
          action: 'opened',
          installation: { id: 42 },
          repository: { full_name: 'acme/app' },
          pull_request: {
            number: 7,
            title: 'Fix',
            html_url: 'https://github.com/acme/app/pull/7',
            state: 'open',
          },
          sender: { login: 'octocat' },
        }),
        { 'x-github-event': 'pull_request', 'x-github-delivery': 'd-1' },
      ),
    );
    expect(parsed).toMatchObject({
      deliveryId: 'd-1',
      externalId: '42',
      event: {
        type: 'github.pull_request.opened',
        entityType: 'github_pull_request',
        entityId: 'acme/app#7',
      },
    });
    expect(
      githubWebhook(() => 's').parse(request('{"action":"weird"}', { 'x-github-event': 'star' })).event?.type,
    ).toBe('github.webhook.received');
  });
});
