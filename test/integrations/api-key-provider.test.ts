/**
 * A third-party provider added the same way as GitHub (a folder-less extension that
 * requires integrations and registers on its point), with API-key auth checked
 * against a fake service on loopback: a valid key is stored encrypted and listed
 * without it, a refused key stores nothing, the key is in no response or table, and
 * its signed webhooks are recorded under its own (namespaced) event types.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { defineExtension, eventsRef, z } from '@maskin/contract';
import { as, createTestKernel, eventsOf, installed, type Member, type TestKernel } from '@maskin/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  constantTimeEqual,
  hmacSha256Hex,
  integrationProvidersPoint,
  providerRecorder,
} from '../../core-extensions/integrations/api.ts';
import integrations from '../../core-extensions/integrations/index.ts';
import sessions from '../../core-extensions/sessions/index.ts';
import webhooks from '../../core-extensions/webhooks/index.ts';

const GOOD_KEY = 'acme_live_key_5d1e9a';
const WEBHOOK_SECRET = 'acme-webhook-secret';

let service: Server;
let serviceUrl = '';

const acmeCrm = defineExtension({
  manifest: {
    id: 'acme-crm',
    version: '1.0.0',
    kernel: '^1.0.0',
    description: 'A third-party API-key provider for the integrations tests.',
    requires: ['integrations'],
    enablement: 'opt-in',
    events: ['acme_crm.contact.created'],
  },
  async register({ extensionPoints, kernelService, isEnabled }) {
    const events = await kernelService(eventsRef);
    extensionPoints.add(integrationProvidersPoint, {
      id: 'acme-crm',
      name: 'Acme CRM',
      authKind: 'api_key',
      configSchema: z.object({ region: z.enum(['eu', 'us']).default('eu') }),
      events: ['acme_crm.contact.created'],
      async validateApiKey(apiKey) {
        const response = await fetch(`${serviceUrl}/me`, { headers: { authorization: `Bearer ${apiKey}` } });
        if (!response.ok) return undefined;
        const me = (await response.json()) as { account: string; name: string };
        return { externalId: me.account, label: me.name };
      },
      webhook: {
        verify: (request) =>
          constantTimeEqual(
            hmacSha256Hex(WEBHOOK_SECRET, request.body),
            request.headers.get('x-acme-signature'),
          )
            ? { ok: true }
            : { ok: false, reason: 'signature_invalid' },
        parse(request) {
          const payload = JSON.parse(request.body.toString('utf8'));
          return {
            deliveryId: payload.id,
            externalId: payload.account,
            event: {
              type: 'acme_crm.contact.created',
              entityType: 'acme_crm_contact',
              entityId: payload.contact,
              data: {},
            },
          };
        },
      },
      record: providerRecorder(events),
      enabledIn: isEnabled,
    });
  },
  setup: () => ({}),
});

let t: TestKernel;
let owner: Member;
const responses: string[] = [];

beforeAll(async () => {
  service = createServer((request, response) => {
    const ok = request.url === '/me' && request.headers.authorization === `Bearer ${GOOD_KEY}`;
    response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    response.end(JSON.stringify(ok ? { account: 'acct-77', name: 'Acme Inc' } : { error: 'invalid key' }));
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
  const core = (name: string) => join(import.meta.dirname, '../../core-extensions', name);
  t = await createTestKernel({
    extensions: [
      installed(sessions, { tier: 'core', dir: core('sessions') }),
      installed(integrations, { tier: 'core', dir: core('integrations') }),
      installed(webhooks, { tier: 'core', dir: core('webhooks') }),
      installed(acmeCrm),
    ],
  });
  owner = await t.signup('Owner');
  const enabled = await t.call('PUT', `/api/workspaces/${owner.workspaceId}/extensions/acme-crm`, {
    key: owner.key,
    body: { enabled: true },
  });
  expect(enabled.status).toBe(200);
});
afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => service?.close(resolve));
});

const connect = async (apiKey: string) => {
  const result = await t.call(
    'POST',
    '/api/integrations/acme-crm/connect',
    as(owner, { body: { api_key: apiKey, config: { region: 'eu' } } }),
  );
  responses.push(JSON.stringify(result.body));
  return result;
};

describe('an API-key provider from a third party', () => {
  it('lists it with its connect schema', async () => {
    const providers = await t.call('GET', '/api/integrations/providers', as(owner));
    const acme = providers.body.items.find((p: any) => p.id === 'acme-crm');
    expect(acme).toMatchObject({
      auth_kind: 'api_key',
      configured: true,
      events: ['acme_crm.contact.created'],
    });
    expect(acme.config_schema.properties.region.enum).toEqual(['eu', 'us']);
  });

  it('refuses a key the provider refuses, and stores nothing', async () => {
    const refused = await connect('acme_wrong_key');
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('INTEGRATION_API_KEY_INVALID');
    expect((await t.call('GET', '/api/integrations', as(owner))).body.items).toEqual([]);
  });

  it('stores a valid key encrypted, lists it without the key, and routes its webhooks', async () => {
    const connected = await connect(GOOD_KEY);
    expect(connected.status, JSON.stringify(connected.body)).toBe(200);
    expect(connected.body.integration).toMatchObject({
      provider: 'acme-crm',
      external_id: 'acct-77',
      label: 'Acme Inc',
    });
    const list = await t.call('GET', '/api/integrations', as(owner));
    responses.push(JSON.stringify(list.body));
    expect(list.body.items).toHaveLength(1);

    const body = JSON.stringify({ id: 'evt-1', account: 'acct-77', contact: 'c-1' });
    const delivered = await t.call('POST', '/api/webhooks/acme-crm', {
      rawBody: body,
      headers: {
        'content-type': 'application/json',
        'x-acme-signature': hmacSha256Hex(WEBHOOK_SECRET, body),
      },
    });
    expect(delivered.body).toMatchObject({ status: 'recorded', event_type: 'acme_crm.contact.created' });
    expect(await eventsOf(t, owner.workspaceId, ['acme_crm_contact'])).toHaveLength(1);

    const rows = await t.kernel.services.database.query<{ row: string }>(
      'select t::text as row from integrations t',
    );
    expect(rows).toHaveLength(1);
    for (const text of [...responses, ...rows.map((r) => r.row)]) expect(text).not.toContain(GOOD_KEY);

    const removed = await t.call('DELETE', `/api/integrations/${connected.body.integration.id}`, as(owner));
    expect(removed.status).toBe(204);
    const events = await eventsOf(t, owner.workspaceId, ['integration']);
    expect(events.map((e) => e.type)).toEqual(['integration.connected', 'integration.disconnected']);
    expect(events.at(-1)!.data.revoked_at_provider).toBe('unsupported');
  });
});
