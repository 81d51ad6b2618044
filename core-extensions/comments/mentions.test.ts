import { describe, expect, it } from 'vitest';
import { mentionedIds } from './mentions.ts';

const a = '0b3f9a58-6a0e-4f8e-9d1e-2b7c1d9e0a01';
const b = '1c4e8b69-7b1f-4a9f-8e2f-3c8d2e0f1b02';

describe('mentionedIds', () => {
  it('finds @[Name](id) mentions, distinct, in order, lower-cased', () => {
    expect(mentionedIds(`Hi @[Ann](${a}) and @[Bob](${b.toUpperCase()}), again @[Ann](${a})`)).toEqual([
      a,
      b,
    ]);
  });
  it('ignores bare @names, broken links and non-uuids', () => {
    expect(mentionedIds(`@Ann @[Ann](${a.slice(0, 10)}) @[](${a}) [Ann](${a})`)).toEqual([]);
  });
});
