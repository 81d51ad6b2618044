import { describe, expect, it } from 'vitest';
import { checkAnswer, checkAsk, describeAnswer } from './ask.ts';

const options = [
  { value: 'a', label: 'A' },
  { value: 'b', label: 'B' },
];
const paths = (problems: { path: string }[]) => problems.map((p) => p.path);

describe('checkAsk', () => {
  it('accepts well-formed asks and plain notifications', () => {
    expect(checkAsk('needs_input', { input_type: 'single', options })).toEqual([]);
    expect(checkAsk('needs_input', { actions: [{ id: 'approve', label: 'Approve' }] })).toEqual([]);
    expect(checkAsk('good_news', { anything: 1 })).toEqual([]);
  });
  it('refuses asks that cannot be answered', () => {
    expect(paths(checkAsk('needs_input', {}))).toEqual(['metadata.input_type']);
    expect(paths(checkAsk('alert', { input_type: 'multiple' }))).toEqual(['metadata.options']);
    expect(paths(checkAsk('alert', { input_type: 'confirmation', options }))).toEqual(['metadata.options']);
    expect(paths(checkAsk('alert', { input_type: 'single', options: [options[0], options[0]] }))).toEqual([
      'metadata.options',
    ]);
    expect(paths(checkAsk('alert', { input_type: 'dropdown' }))).toEqual(['metadata.input_type']);
    expect(paths(checkAsk('alert', { session_id: 'nope' }))).toEqual(['metadata.session_id']);
  });
});

describe('checkAnswer', () => {
  it('checks the value against the input type', () => {
    expect(checkAnswer({ input_type: 'confirmation' }, { value: false })).toEqual([]);
    expect(paths(checkAnswer({ input_type: 'confirmation' }, { value: 'yes' }))).toEqual(['value']);
    expect(checkAnswer({ input_type: 'single', options }, { value: 'b' })).toEqual([]);
    expect(paths(checkAnswer({ input_type: 'single', options }, { value: 'c' }))).toEqual(['value']);
    expect(checkAnswer({ input_type: 'multiple', options }, { value: ['a', 'b'] })).toEqual([]);
    expect(paths(checkAnswer({ input_type: 'multiple', options }, { value: ['a', 'a'] }))).toEqual(['value']);
    expect(paths(checkAnswer({ input_type: 'multiple', options }, { value: [] }))).toEqual(['value']);
    expect(paths(checkAnswer({ input_type: 'text' }, { value: '  ' }))).toEqual(['value']);
  });
  it('checks the action against the actions, and refuses what was not asked', () => {
    const actions = [{ id: 'approve', label: 'Approve' }];
    expect(checkAnswer({ actions }, { action: 'approve' })).toEqual([]);
    expect(paths(checkAnswer({ actions }, { action: 'reject' }))).toEqual(['action']);
    expect(paths(checkAnswer({ actions }, { action: 'approve', value: 'x' }))).toEqual(['value']);
    expect(paths(checkAnswer({ input_type: 'text' }, { action: 'approve', value: 'x' }))).toEqual(['action']);
  });
  it('describes an answer in one line', () => {
    expect(describeAnswer({ action: 'approve', value: ['a', 'b'], comment: 'ok' })).toBe(
      'action: approve; answer: a, b; comment: ok',
    );
  });
});
