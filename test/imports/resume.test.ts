/**
 * A crash in the middle of an import: the runner's test hook throws inside the third
 * batch's transaction (after its objects are written, before commit), failing the job
 * attempt as a dying process would. The retried job resumes from the committed
 * checkpoint: every row lands exactly once, and the batch that crashed is written
 * again from the same row.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importsExtension } from '../../core-extensions/imports/extension.ts';
import { core, filesStack } from '../files/upload-helpers.ts';
import { waitFor } from '../helpers/sse-client.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { eventsOf, setExtensionSettings } from '../helpers/work-graph.ts';
import { confirm, finished, objectsOf, uploadImport } from './import-helpers.ts';

const commits: { batch: number; lastRow: number }[] = [];
let crashed = false;
let t: TestKernel;
beforeAll(async () => {
  const imports = importsExtension({
    hooks: {
      beforeBatchCommit: ({ batch, lastRow }) => {
        if (batch === 3 && !crashed) {
          crashed = true;
          throw new Error('simulated crash before the third batch commits');
        }
        commits.push({ batch, lastRow });
      },
    },
  });
  t = await createTestKernel({ extensions: [...filesStack(), core(imports, 'imports')] });
});
afterAll(() => t?.close());

it('resumes from the checkpoint without duplicates', async () => {
  const m = await t.signup('Crash');
  await setExtensionSettings(t, m, 'imports', { batch_size: 10 });
  const rows = Array.from({ length: 55 }, (_, index) => `Task ${String(index + 1).padStart(3, '0')},todo`);
  const preview = await uploadImport(t, m, 'crash.csv', ['title,status', ...rows].join('\n'));
  await confirm(t, m, preview.id);
  const done = await finished(t, m, preview.id);
  expect(crashed).toBe(true);
  expect(done.status, JSON.stringify(done)).toBe('completed');
  expect(done.progress).toMatchObject({
    rows_done: 55,
    imported_rows: 55,
    failed_rows: 0,
    created_objects: 55,
  });
  // First attempt: batches 1 and 2 committed (rows 1-20), the third crashed; the retry starts at row 21.
  expect(commits).toEqual([
    { batch: 1, lastRow: 10 },
    { batch: 2, lastRow: 20 },
    { batch: 1, lastRow: 30 },
    { batch: 2, lastRow: 40 },
    { batch: 3, lastRow: 50 },
    { batch: 4, lastRow: 55 },
  ]);
  const titles = (await objectsOf(t, m.workspaceId)).map((o) => o.title);
  expect(titles).toEqual(rows.map((row) => row.split(',')[0]));
  const created = await eventsOf(t, m.workspaceId, ['object']);
  expect(created.length).toBe(55);
  const progress = (await eventsOf(t, m.workspaceId, ['import'])).filter((e) => e.type === 'import.progress');
  expect(progress.map((e) => e.data.rows_done)).toEqual([10, 20, 30, 40, 50, 55]);
  // The import commits its last state inside the handler; the worker marks the job
  // completed just after the handler returns, so wait for that second write.
  let job: { attempt: number; state: string } | undefined;
  await waitFor(async () => {
    [job] = await t.kernel.services.database.query<{ attempt: number; state: string }>(
      'select attempt, state from jobs where id = $1',
      [done.job_id],
    );
    return job?.state !== 'running';
  });
  expect(job).toMatchObject({ attempt: 2, state: 'completed' });
});
