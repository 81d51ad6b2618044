/**
 * 0002_relationship_types_setting.sql moves stored relationship_types from objects'
 * settings to relationships' own: into a missing row (enabled like objects), into an
 * existing row without the key, never over a value relationships already has; and
 * out of objects' row. Run here on a booted kernel by re-running the file's SQL over
 * rows written the old way.
 */
import { readFileSync } from 'node:fs';
import { createTestKernel, type TestKernel } from '@maskin/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';

const migration = readFileSync(
  new URL('./migrations/0002_relationship_types_setting.sql', import.meta.url),
  'utf8',
);

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t?.close());

const storedRow = async (workspaceId: string, extensionId: string) =>
  (
    await t.kernel.services.database.query<{ enabled: boolean; settings: Record<string, unknown> }>(
      'select enabled, settings from workspace_extensions where workspace_id = $1 and extension_id = $2',
      [workspaceId, extensionId],
    )
  )[0];

async function storeOldStyle(workspaceId: string, objectsEnabled: boolean, types: string[]) {
  await t.kernel.services.database.query(
    `insert into workspace_extensions (workspace_id, extension_id, enabled, settings)
     values ($1, 'objects', $2, $3::jsonb)
     on conflict (workspace_id, extension_id) do update set enabled = excluded.enabled, settings = excluded.settings`,
    [
      workspaceId,
      objectsEnabled,
      JSON.stringify({
        types: { task: { display_name: 'Task', statuses: ['todo'] } },
        relationship_types: types,
      }),
    ],
  );
}

it('moves stored relationship types from objects to relationships', async () => {
  const [fresh, withRow, alreadyMoved, disabled] = await Promise.all(
    ['Fay', 'Wes', 'Ama', 'Dov'].map((name) => t.signup(name)),
  );
  await storeOldStyle(fresh!.workspaceId, true, ['causes']);
  await storeOldStyle(withRow!.workspaceId, true, ['blocks']);
  await t.kernel.services.database.query(
    `insert into workspace_extensions (workspace_id, extension_id, enabled, settings) values ($1, 'relationships', true, '{}'::jsonb)
     on conflict (workspace_id, extension_id) do update set settings = '{}'::jsonb`,
    [withRow!.workspaceId],
  );
  await storeOldStyle(alreadyMoved!.workspaceId, true, ['old']);
  await t.kernel.services.database.query(
    `insert into workspace_extensions (workspace_id, extension_id, enabled, settings) values ($1, 'relationships', true, '{"relationship_types":["kept"]}'::jsonb)
     on conflict (workspace_id, extension_id) do update set settings = excluded.settings`,
    [alreadyMoved!.workspaceId],
  );
  await t.kernel.services.database.query(
    `delete from workspace_extensions where workspace_id = $1 and extension_id = 'relationships'`,
    [disabled!.workspaceId],
  );
  await storeOldStyle(disabled!.workspaceId, false, ['x']);

  await t.kernel.services.database.scriptTransaction((tx) => tx.exec(migration));

  expect(await storedRow(fresh!.workspaceId, 'relationships')).toMatchObject({
    enabled: true,
    settings: { relationship_types: ['causes'] },
  });
  expect((await storedRow(withRow!.workspaceId, 'relationships'))?.settings).toEqual({
    relationship_types: ['blocks'],
  });
  expect((await storedRow(alreadyMoved!.workspaceId, 'relationships'))?.settings).toEqual({
    relationship_types: ['kept'],
  });
  expect(await storedRow(disabled!.workspaceId, 'relationships')).toMatchObject({ enabled: false });
  for (const member of [fresh, withRow, alreadyMoved, disabled]) {
    const objects = await storedRow(member!.workspaceId, 'objects');
    expect(objects?.settings).not.toHaveProperty('relationship_types');
    expect(objects?.settings).toHaveProperty('types');
  }
});
