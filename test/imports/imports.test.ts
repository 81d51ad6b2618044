/**
 * Imports end to end on a real kernel: preview (delimiter, encoding, columns, sample,
 * count, automatic mapping to custom fields), bad rows reported with their line while
 * the good ones land, several object types per row with relationships, JSON files,
 * confirming twice, cancelling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importsStack } from '../files/upload-helpers.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { eventsOf, type Member, setObjectsSettings } from '../helpers/work-graph.ts';
import { confirm, finished, objectsOf, uploadImport } from './import-helpers.ts';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ extensions: await importsStack() });
});
afterAll(() => t?.close());

const types = {
  task: {
    display_name: 'Task',
    statuses: ['todo', 'done'],
    fields: {
      priority: { type: 'enum', options: ['low', 'high'] },
      estimate: { type: 'number', display_name: 'Estimate (h)' },
      due: { type: 'date' },
    },
  },
  bet: { display_name: 'Bet', statuses: ['proposed', 'active'], fields: {} },
};

async function member(name: string): Promise<Member> {
  const m = await t.signup(name);
  await setObjectsSettings(t, m, { types });
  return m;
}

describe('preview and import', () => {
  it('previews, maps custom fields automatically, imports good rows and reports bad ones by line', async () => {
    const m = await member('Ida');
    const csv = [
      'Title;Description;Status;Priority;Estimate (h);Due',
      'Ship login;Fix it;todo;high;3;2025-02-01',
      'Bad status;x;archived;low;1;2025-02-01',
      '"Multi; line";"first',
      'second";done;low;2;2025-03-01',
      'Bad priority;x;todo;urgent;1;2025-02-01',
      ';no title;todo;low;1;2025-02-01',
      'Bad number;x;todo;low;lots;2025-02-01',
      'Last one;y;done;low;0.5;',
    ].join('\n');
    const preview = await uploadImport(t, m, 'tasks.csv', csv);
    expect(preview).toMatchObject({
      status: 'previewed',
      format: 'csv',
      encoding: 'utf-8',
      delimiter: ';',
      columns: ['Title', 'Description', 'Status', 'Priority', 'Estimate (h)', 'Due'],
      row_count: 7,
    });
    expect(preview.sample_rows[0]).toEqual({
      Title: 'Ship login',
      Description: 'Fix it',
      Status: 'todo',
      Priority: 'high',
      'Estimate (h)': '3',
      Due: '2025-02-01',
    });
    expect(preview.mapping).toEqual({
      objects: [
        {
          key: 'task',
          type: 'task',
          title: { column: 'Title' },
          content: { column: 'Description' },
          status: { column: 'Status' },
          fields: {
            priority: { column: 'Priority' },
            estimate: { column: 'Estimate (h)' },
            due: { column: 'Due' },
          },
        },
      ],
      relationships: [],
    });

    expect((await confirm(t, m, preview.id)).status).toBe(202);
    const done = await finished(t, m, preview.id);
    expect(done.status).toBe('completed');
    expect(done.progress).toEqual({
      rows_done: 7,
      imported_rows: 3,
      failed_rows: 4,
      created_objects: 3,
      created_relationships: 0,
    });
    const objects = await objectsOf(t, m.workspaceId);
    expect(objects.map((o) => [o.title, o.status, o.metadata])).toEqual([
      ['Last one', 'done', { priority: 'low', estimate: 0.5 }],
      ['Multi; line', 'done', { priority: 'low', estimate: 2, due: '2025-03-01' }],
      ['Ship login', 'todo', { priority: 'high', estimate: 3, due: '2025-02-01' }],
    ]);
    const errors = await t.call('GET', `/api/imports/${preview.id}/errors`, {
      key: m.key,
      workspace: m.workspaceId,
    });
    expect(errors.body.items.map((e: any) => [e.row, e.line])).toEqual([
      [2, 3],
      [4, 6],
      [5, 7],
      [6, 8],
    ]);
    expect(errors.body.items[0].message).toMatch(/^Line 3: task.status "archived" is not a status/);
    expect(errors.body.items[1].details).toEqual([
      { path: 'task.metadata.priority', message: 'must be one of: low, high' },
    ]);
    expect(errors.body.items[2].details[0].path).toBe('task.title');
    expect(errors.body.items[3].details[0]).toEqual({
      path: 'task.metadata.estimate',
      message: 'must be a number',
    });

    const events = await eventsOf(t, m.workspaceId, ['import']);
    expect(events.map((e) => e.type)).toEqual([
      'import.created',
      'import.confirmed',
      'import.progress',
      'import.completed',
    ]);
    expect(events.at(-1)!.data).toMatchObject({ imported_rows: 3, failed_rows: 4 });
  });

  it('confirming twice imports once', async () => {
    const m = await member('Twice');
    const preview = await uploadImport(t, m, 'two.csv', 'title,status\nOne,todo\nTwo,done\n');
    const first = await confirm(t, m, preview.id);
    const second = await confirm(t, m, preview.id);
    expect(second.body.job_id).toBe(first.body.job_id);
    const done = await finished(t, m, preview.id);
    expect(done.status, JSON.stringify(done)).toBe('completed');
    const third = await confirm(t, m, preview.id);
    expect(third.status).toBe(202);
    expect(third.body.status).toBe('completed');
    expect((await objectsOf(t, m.workspaceId)).length).toBe(2);
  });

  it('maps several object types per row, joined by relationships', async () => {
    const m = await member('Rel');
    const preview = await uploadImport(
      t,
      m,
      'plan.csv',
      'Bet,Task,Priority\nFaster onboarding,Cut steps,high\nFaster onboarding 2,,low\n',
    );
    const mapping = {
      objects: [
        { key: 'bet', type: 'bet', title: { column: 'Bet' }, status: { value: 'active' } },
        {
          key: 'task',
          type: 'task',
          title: { column: 'Task' },
          fields: { priority: { column: 'Priority' } },
          skip_when_empty: 'Task',
        },
      ],
      relationships: [{ type: 'breaks_into', source: 'bet', target: 'task' }],
    };
    const bad = await t.call('PUT', `/api/imports/${preview.id}/mapping`, {
      key: m.key,
      workspace: m.workspaceId,
      body: {
        mapping: { ...mapping, relationships: [{ type: 'breaks_into', source: 'bet', target: 'nope' }] },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('mapping.relationships.0.target');
    const set = await t.call('PUT', `/api/imports/${preview.id}/mapping`, {
      key: m.key,
      workspace: m.workspaceId,
      body: { mapping },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    await confirm(t, m, preview.id);
    const done = await finished(t, m, preview.id);
    expect(done.progress).toMatchObject({ imported_rows: 2, created_objects: 3, created_relationships: 1 });
    const objects = await objectsOf(t, m.workspaceId);
    expect(objects.map((o) => [o.type, o.title, o.status])).toEqual([
      ['task', 'Cut steps', 'todo'],
      ['bet', 'Faster onboarding', 'active'],
      ['bet', 'Faster onboarding 2', 'active'],
    ]);
    const edges = await t.kernel.services.database.query<{
      source_id: string;
      target_id: string;
      type: string;
    }>('select source_id, target_id, type from relationships where workspace_id = $1', [m.workspaceId]);
    const byTitle = new Map(objects.map((o) => [o.title, o.id]));
    expect(edges).toEqual([
      {
        source_id: byTitle.get('Faster onboarding'),
        target_id: byTitle.get('Cut steps'),
        type: 'breaks_into',
      },
    ]);
  });

  it('imports a JSON array and NDJSON, with lines for bad items', async () => {
    const m = await member('Jason');
    const json =
      '[\n  {"title": "A", "priority": "low"},\n  {"title": "B", "priority": "mid"},\n  42,\n  {"title": "C"}\n]';
    const preview = await uploadImport(t, m, 'items.json', json);
    expect(preview).toMatchObject({
      format: 'json',
      row_count: 4,
      columns: ['title', 'priority'],
      delimiter: null,
    });
    await confirm(t, m, preview.id);
    const done = await finished(t, m, preview.id);
    expect(done.progress).toMatchObject({ imported_rows: 2, failed_rows: 2 });
    const errors = await t.call('GET', `/api/imports/${preview.id}/errors`, {
      key: m.key,
      workspace: m.workspaceId,
    });
    expect(errors.body.items.map((e: any) => [e.row, e.line])).toEqual([
      [2, 3],
      [3, 4],
    ]);

    const ndjson = await uploadImport(t, m, 'more.ndjson', '{"title":"D"}\n{"title":"E"}\n');
    expect(ndjson.row_count).toBe(2);
  });

  it('detects latin1 and a UTF-8 BOM', async () => {
    const m = await member('Enc');
    const latin1 = Buffer.from('title,status\nCafé crème,todo\n', 'latin1');
    const preview = await uploadImport(t, m, 'latin.csv', latin1);
    expect(preview.encoding).toBe('latin1');
    expect(preview.sample_rows[0].title).toBe('Café crème');
    const bom = await uploadImport(
      t,
      m,
      'bom.csv',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('title\tstatus\nÅse\ttodo\n')]),
    );
    expect(bom).toMatchObject({ encoding: 'utf-8', delimiter: '\t', columns: ['title', 'status'] });
    expect(bom.sample_rows[0].title).toBe('Åse');
  });

  it('cancels a previewed import; it can no longer be confirmed', async () => {
    const m = await member('Cancel');
    const preview = await uploadImport(t, m, 'c.csv', 'title\nx\n');
    const cancelled = await t.call('POST', `/api/imports/${preview.id}/cancel`, {
      key: m.key,
      workspace: m.workspaceId,
    });
    expect(cancelled.body.status).toBe('cancelled');
    expect((await confirm(t, m, preview.id)).status).toBe(409);
  });
});
