/**
 * Links on a booted kernel (objects plus fixture linkers that require it): link and
 * unlink with their events, pages of GET /api/objects/{id}/links, records namespaced
 * by the calling extension, cross-workspace links refused, and deleting an object
 * removes its links, records `object.unlinked` and calls each running linker's
 * `onObjectDeleted` with its own links only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ObjectDeletedContext,
  type ObjectLinks,
  objectLinkHooksPoint,
  objectLinksRef,
} from '../../core-extensions/objects/api.ts';
import objects from '../../core-extensions/objects/index.ts';
import {
  createServiceRef,
  defineExtension,
  type ExtensionDefinition,
  orm,
} from '../../kernel/contract/index.ts';
import { resultRows } from '../../kernel/db/database.ts';
import { installed } from '../helpers/extensions.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { as, eventsOf, type Member } from '../helpers/work-graph.ts';

interface Heard {
  linker: string;
  objectId: string;
  recordIds: string[];
  /** Links of the object still in the table when the hook ran (inside the deleting transaction). */
  remainingInTransaction: number;
}
const heard: Heard[] = [];

function linker(id: string, options: { failSetup?: boolean } = {}) {
  const ref = createServiceRef<ObjectLinks>({ id: `${id}.links`, owner: id });
  const definition: ExtensionDefinition = defineExtension({
    manifest: {
      id,
      version: '1.0.0',
      kernel: '^1.0.0',
      enablement: 'default-on',
      description: `links its records to objects (${id})`,
      requires: ['objects'],
    },
    deps: { links: objectLinksRef },
    provides: ref,
    register({ extensionPoints }) {
      extensionPoints.add(objectLinkHooksPoint, {
        async onObjectDeleted({ tx, objectId, links }: ObjectDeletedContext) {
          const remaining = await tx.execute(
            orm.sql`select count(*)::int as n from objects_links where object_id = ${objectId}`,
          );
          const rows = resultRows<{ n: number }>(remaining);
          heard.push({
            linker: id,
            objectId,
            recordIds: links.map((link) => link.record_id).sort(),
            remainingInTransaction: rows[0]!.n,
          });
        },
      });
    },
    setup({ deps }) {
      if (options.failSetup) throw new Error('broken on purpose');
      return { service: deps.links };
    },
  });
  return { definition, ref };
}

const pinboard = linker('pinboard');
const scrapbook = linker('scrapbook');
const broken = linker('brokenboard', { failSetup: true });

let t: TestKernel;
let owner: Member;
let stranger: Member;
let pins: ObjectLinks;
let scraps: ObjectLinks;
const db = () => t.kernel.services.database.db;

beforeAll(async () => {
  t = await createTestKernel({
    extensions: [
      installed(objects, { tier: 'core' }),
      installed(pinboard.definition),
      installed(scrapbook.definition),
      installed(broken.definition),
    ],
  });
  owner = await t.signup('Lina');
  stranger = await t.signup('Sten');
  pins = await t.kernel.container.get(pinboard.ref);
  scraps = await t.kernel.container.get(scrapbook.ref);
});
afterAll(() => t?.close());

async function createTask(member: Member, title: string): Promise<string> {
  const res = await t.call('POST', '/api/objects', as(member, { body: { type: 'task', title } }));
  expect(res.status).toBe(201);
  return res.body.id;
}

const linkInput = (member: Member, objectId: string, recordId: string) => ({
  workspaceId: member.workspaceId,
  objectId,
  recordType: 'pin',
  recordId,
  actorId: member.actorId,
});

describe('links', () => {
  it('links a record once, records object.linked, and unlinks it with object.unlinked', async () => {
    const task = await createTask(owner, 'Linked task');
    const link = await db().transaction((tx) => pins.link(tx, linkInput(owner, task, 'pin-1')));
    expect(link).toMatchObject({
      object_id: task,
      extension_id: 'pinboard',
      record_type: 'pin',
      record_id: 'pin-1',
      created_by: owner.actorId,
    });
    const again = await db().transaction((tx) => pins.link(tx, linkInput(owner, task, 'pin-1')));
    expect(again.id).toBe(link.id);
    expect(
      await pins.objectsLinkedTo(db(), {
        workspaceId: owner.workspaceId,
        recordType: 'pin',
        recordId: 'pin-1',
      }),
    ).toEqual([task]);

    const linked = (await eventsOf(t, owner.workspaceId, ['object'])).filter(
      (e) => e.type === 'object.linked',
    );
    expect(linked).toHaveLength(1);
    expect(linked[0]).toMatchObject({
      entity_id: task,
      actor_id: owner.actorId,
      data: { link_id: link.id, extension_id: 'pinboard', record_type: 'pin', record_id: 'pin-1' },
    });

    expect(await db().transaction((tx) => pins.unlink(tx, linkInput(owner, task, 'pin-1')))).toBe(true);
    expect(await db().transaction((tx) => pins.unlink(tx, linkInput(owner, task, 'pin-1')))).toBe(false);
    const unlinked = (await eventsOf(t, owner.workspaceId, ['object'])).filter(
      (e) => e.type === 'object.unlinked',
    );
    expect(unlinked.map((e) => e.data.link_id)).toEqual([link.id]);
  });

  it('namespaces records by the calling extension', async () => {
    const task = await createTask(owner, 'Shared task');
    await db().transaction((tx) => pins.link(tx, linkInput(owner, task, 'same-id')));
    const record = { workspaceId: owner.workspaceId, recordType: 'pin', recordId: 'same-id' };
    expect(await scraps.objectsLinkedTo(db(), record)).toEqual([]);
    expect(await db().transaction((tx) => scraps.unlink(tx, linkInput(owner, task, 'same-id')))).toBe(false);
    const scrap = await db().transaction((tx) => scraps.link(tx, linkInput(owner, task, 'same-id')));
    expect(scrap.extension_id).toBe('scrapbook');
    expect(await pins.objectsLinkedTo(db(), record)).toEqual([task]);
  });

  it('lists the links of an object in keyset pages without gaps or repeats', async () => {
    const task = await createTask(owner, 'Busy task');
    for (let n = 1; n <= 5; n++) {
      await db().transaction((tx) => pins.link(tx, linkInput(owner, task, `page-${n}`)));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const res = await t.call('GET', `/api/objects/${task}/links${query}`, as(owner));
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((link: { record_id: string }) => link.record_id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    // Links made within one millisecond tie on created_at and are ordered by id: compare
    // the pages with one full page, which has the same order by definition.
    const whole = await t.call('GET', `/api/objects/${task}/links?limit=200`, as(owner));
    expect(seen).toEqual(whole.body.items.map((link: { record_id: string }) => link.record_id));
    expect([...seen].sort()).toEqual(['page-1', 'page-2', 'page-3', 'page-4', 'page-5']);
    const times = whole.body.items.map((link: { created_at: string }) => link.created_at);
    expect(times).toEqual([...times].sort().reverse()); // newest first
    const bad = await t.call('GET', `/api/objects/${task}/links?cursor=nonsense`, as(owner));
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('refuses links across workspaces and bad records, writing nothing', async () => {
    const theirs = await createTask(stranger, 'Not yours');
    const before = (await eventsOf(t, owner.workspaceId, ['object'])).length;
    await expect(
      db().transaction((tx) => pins.link(tx, linkInput(owner, theirs, 'sneaky'))),
    ).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const ours = await createTask(owner, 'Ours');
    await expect(
      db().transaction((tx) => pins.link(tx, { ...linkInput(owner, ours, 'x'), recordType: 'Not Snake' })),
    ).rejects.toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    await expect(
      db().transaction((tx) => pins.link(tx, { ...linkInput(owner, 'not-a-uuid', 'x') })),
    ).rejects.toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    await expect(
      pins.objectsLinkedTo(db(), { workspaceId: 'not-a-uuid', recordType: 'pin', recordId: 'x' }),
    ).rejects.toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    const linkCount = await t.kernel.services.database.query<{ n: number }>(
      'select count(*)::int as n from objects_links where object_id = $1 or object_id = $2',
      [theirs, ours],
    );
    expect(linkCount[0]!.n).toBe(0);
    expect((await eventsOf(t, owner.workspaceId, ['object'])).length).toBe(before + 1); // only the create
    const peek = await t.call('GET', `/api/objects/${theirs}/links`, as(owner));
    expect(peek.status).toBe(404);
  });

  it('removes the links of a deleted object, records object.unlinked and tells each running linker', async () => {
    const task = await createTask(owner, 'Doomed task');
    await db().transaction(async (tx) => {
      await pins.link(tx, linkInput(owner, task, 'p-1'));
      await pins.link(tx, linkInput(owner, task, 'p-2'));
      await scraps.link(tx, linkInput(owner, task, 's-1'));
    });
    // A link left by an extension that failed to start this time (stored earlier).
    await t.kernel.services.database.query(
      `insert into objects_links (workspace_id, object_id, extension_id, record_type, record_id)
       values ($1, $2, 'brokenboard', 'pin', 'b-1')`,
      [owner.workspaceId, task],
    );
    heard.length = 0;
    expect((await t.call('DELETE', `/api/objects/${task}`, as(owner))).status).toBe(204);

    expect(heard).toEqual([
      { linker: 'pinboard', objectId: task, recordIds: ['p-1', 'p-2'], remainingInTransaction: 0 },
      { linker: 'scrapbook', objectId: task, recordIds: ['s-1'], remainingInTransaction: 0 },
    ]);
    const left = await t.kernel.services.database.query<{ n: number }>(
      'select count(*)::int as n from objects_links where object_id = $1',
      [task],
    );
    expect(left[0]!.n).toBe(0);
    const events = (await eventsOf(t, owner.workspaceId, ['object'])).filter((e) => e.entity_id === task);
    expect(events.map((e) => e.type)).toEqual([
      'object.created',
      'object.linked',
      'object.linked',
      'object.linked',
      'object.unlinked',
      'object.unlinked',
      'object.unlinked',
      'object.unlinked',
      'object.deleted',
    ]);
    expect(t.kernel.services.registry!.get('brokenboard')?.status).toBe('failed');
  });
});
