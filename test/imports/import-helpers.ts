/** Shared steps of the imports tests: upload a file to import, confirm, wait for the end. */

import { multipartOf, upload } from '../files/upload-helpers.ts';
import { waitFor } from '../helpers/sse-client.ts';
import type { TestKernel } from '../helpers/test-kernel.ts';
import type { Member } from '../helpers/work-graph.ts';

export async function uploadImport(t: TestKernel, member: Member, name: string, content: string | Buffer) {
  const res = await upload(t, member, '/api/imports', multipartOf(name, Buffer.from(content)));
  if (res.status !== 201) throw new Error(`import upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function finished(t: TestKernel, member: Member, id: string, timeoutMs = 60_000) {
  let current: any;
  await waitFor(async () => {
    current = (await t.call('GET', `/api/imports/${id}`, { key: member.key, workspace: member.workspaceId }))
      .body;
    return ['completed', 'failed', 'cancelled'].includes(current.status);
  }, timeoutMs);
  return current;
}

export async function confirm(t: TestKernel, member: Member, id: string) {
  return t.call('POST', `/api/imports/${id}/confirm`, { key: member.key, workspace: member.workspaceId });
}

export async function objectsOf(t: TestKernel, workspaceId: string) {
  return t.kernel.services.database.query<{
    id: string;
    type: string;
    title: string;
    status: string;
    metadata: any;
  }>('select id, type, title, status, metadata from objects where workspace_id = $1 order by title', [
    workspaceId,
  ]);
}
