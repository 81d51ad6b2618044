/** The event-matching matrix: every condition operator, true and false, without a database. */
import type { EventJson } from '@maskin/contract';
import { describe, expect, it } from 'vitest';
import { conditionHolds, eventMatches } from './conditions.ts';
import type { ConditionOperator, EventConfig } from './definition.ts';
import { renderBody, renderPath, renderText } from './template.ts';

const NOW = new Date('2026-06-15T12:00:00Z');
const event: EventJson = {
  id: 42,
  workspace_id: 'w',
  type: 'object.status_changed',
  actor_id: 'a',
  entity_type: 'object',
  entity_id: 'o1',
  data: {
    type: 'task',
    from: 'todo',
    to: 'done',
    metadata: { priority: 3, due: '2026-06-17T00:00:00Z', tags: ['urgent', 'api'], owner: 'Ada', empty: '' },
  },
  created_at: '2026-06-15T11:59:00Z',
};

const holds = (field: string, operator: ConditionOperator, value?: string | number | boolean) =>
  conditionHolds(event, { field, operator, value }, NOW);

describe('condition operators', () => {
  const matrix: [string, ConditionOperator, string | number | boolean | undefined, boolean][] = [
    ['data.to', 'equals', 'done', true],
    ['data.to', 'equals', 'todo', false],
    ['data.metadata.priority', 'equals', '3', true],
    ['data.missing', 'equals', '', false],
    ['data.to', 'not_equals', 'todo', true],
    ['data.to', 'not_equals', 'done', false],
    ['data.missing', 'not_equals', 'x', true],
    ['data.metadata.priority', 'greater_than', 2, true],
    ['data.metadata.priority', 'greater_than', 3, false],
    ['data.metadata.owner', 'greater_than', 1, false],
    ['data.metadata.priority', 'less_than', 4, true],
    ['data.metadata.priority', 'less_than', 3, false],
    ['data.metadata.due', 'before', '2026-07-01T00:00:00Z', true],
    ['data.metadata.due', 'before', '2026-06-01T00:00:00Z', false],
    ['data.metadata.due', 'after', '2026-06-01T00:00:00Z', true],
    ['data.metadata.due', 'after', '2026-07-01T00:00:00Z', false],
    ['data.metadata.due', 'within_days', 3, true],
    ['data.metadata.due', 'within_days', 1, false],
    ['data.metadata.owner', 'within_days', 3, false],
    ['data.metadata.owner', 'is_set', undefined, true],
    ['data.metadata.empty', 'is_set', undefined, false],
    ['data.metadata.missing', 'is_set', undefined, false],
    ['data.metadata.missing', 'is_not_set', undefined, true],
    ['data.metadata.owner', 'is_not_set', undefined, false],
    ['data.metadata.tags', 'contains', 'urgent', true],
    ['data.metadata.tags', 'contains', 'urg', false],
    ['data.metadata.owner', 'contains', 'ad', true],
    ['data.metadata.owner', 'contains', 'bob', false],
    ['data.metadata.priority', 'contains', '3', false],
    ['entity_id', 'equals', 'o1', true],
    ['data.metadata.__proto__', 'is_set', undefined, false],
  ];
  it.each(matrix)('%s %s %s → %s', (field, operator, value, expected) => {
    expect(holds(field, operator, value)).toBe(expected);
  });
});

describe('eventMatches', () => {
  const config = (
    conditions: Partial<EventConfig['conditions']>,
    types = ['object.status_changed'],
  ): EventConfig => ({
    types,
    conditions: { metadata: [], ...conditions },
  });
  it('needs a listed type', () => {
    expect(eventMatches(config({}), event, NOW)).toBe(true);
    expect(eventMatches(config({}, ['object.created']), event, NOW)).toBe(false);
  });
  it('matches entity_type on the event or on the object type it carries', () => {
    expect(eventMatches(config({ entity_type: 'object' }), event, NOW)).toBe(true);
    expect(eventMatches(config({ entity_type: 'task' }), event, NOW)).toBe(true);
    expect(eventMatches(config({ entity_type: 'bet' }), event, NOW)).toBe(false);
  });
  it('matches status transitions from and to', () => {
    expect(eventMatches(config({ from_status: 'todo', to_status: 'done' }), event, NOW)).toBe(true);
    expect(eventMatches(config({ from_status: 'in_progress' }), event, NOW)).toBe(false);
    expect(eventMatches(config({ to_status: 'todo' }), event, NOW)).toBe(false);
  });
  it('needs every metadata condition', () => {
    const both = [
      { field: 'data.metadata.priority', operator: 'greater_than' as const, value: 2 },
      { field: 'data.metadata.owner', operator: 'equals' as const, value: 'Ada' },
    ];
    expect(eventMatches(config({ metadata: both }), event, NOW)).toBe(true);
    expect(
      eventMatches(
        config({ metadata: [...both, { field: 'data.x', operator: 'is_set' as const }] }),
        event,
        NOW,
      ),
    ).toBe(false);
  });
});

describe('templates', () => {
  const scope = { event, trigger: { name: 'Review' } };
  it('renders text, leaving missing values empty', () => {
    expect(renderText('{{trigger.name}}: {{ event.data.to }} ({{event.data.nope}})', scope)).toBe(
      'Review: done ()',
    );
    expect(renderText('{{event.data.metadata.tags}}', scope)).toBe('["urgent","api"]');
  });
  it('encodes values inserted into a path, so an event cannot change the route', () => {
    const hostile = { event: { entity_id: '../actors/me?x=1' } };
    expect(renderPath('/api/objects/{{event.entity_id}}', hostile)).toBe(
      '/api/objects/..%2Factors%2Fme%3Fx%3D1',
    );
  });
  it('keeps raw values for whole placeholders in a body', () => {
    expect(
      renderBody(
        {
          title: 'Follow up {{event.entity_id}}',
          priority: '{{event.data.metadata.priority}}',
          list: ['{{event.data.to}}'],
        },
        scope,
      ),
    ).toEqual({ title: 'Follow up o1', priority: 3, list: ['done'] });
  });
});
