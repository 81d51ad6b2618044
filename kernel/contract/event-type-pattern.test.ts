import { describe, expect, it } from 'vitest';
import { EVENT_TYPE_PATTERN } from './extension.ts';

describe('EVENT_TYPE_PATTERN', () => {
  it('takes entity.action and source.entity.action, nothing longer or malformed', () => {
    for (const type of ['object.created', 'github.pull_request.opened', 'linear.issue_label.removed']) {
      expect(EVENT_TYPE_PATTERN.test(type), type).toBe(true);
    }
    for (const type of [
      'object',
      'a.b.c.d',
      'Object.created',
      'object..created',
      '.created',
      'object.created.',
    ]) {
      expect(EVENT_TYPE_PATTERN.test(type), type).toBe(false);
    }
  });
});
