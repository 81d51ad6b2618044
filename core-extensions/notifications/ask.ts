/**
 * Structured asks: what a notification asks its target, kept in `metadata`, and the
 * check of an answer against it. One rule, used by create (is the ask well formed?)
 * and respond (does the answer fit the ask?), so the two cannot disagree.
 *
 * metadata.input_type  confirmation | single | multiple | text
 * metadata.options     [{ value, label }]   required for single/multiple, refused otherwise
 * metadata.actions     [{ id, label }]      buttons; an answer then names one as `action`
 * metadata.session_id  the asking agent's session, resumed with the answer
 *
 * Answers: confirmation -> value: boolean; single -> value: one option value;
 * multiple -> value: distinct option values (at least one); text -> value: string.
 */
import { type ErrorDetail, z } from '@maskin/contract';

export const INPUT_TYPES = ['confirmation', 'single', 'multiple', 'text'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

const choice = z.object({
  value: z.string().min(1).max(200),
  label: z.string().min(1).max(500),
});
const action = z.object({
  id: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case')
    .max(60),
  label: z.string().min(1).max(200),
});

export const askMetadataSchema = z
  .object({
    input_type: z.enum(INPUT_TYPES).optional(),
    options: z.array(choice).min(2).max(50).optional(),
    actions: z.array(action).min(1).max(10).optional(),
    session_id: z.string().uuid().optional(),
  })
  .passthrough();

export type AskMetadata = z.output<typeof askMetadataSchema>;

export const answerSchema = z.object({
  action: z.string().max(60).optional().openapi({ description: 'The id of one of metadata.actions' }),
  value: z
    .union([z.boolean(), z.string().max(10_000), z.array(z.string().max(200)).max(50)])
    .optional()
    .openapi({
      description:
        'confirmation: true/false; single: an option value; multiple: option values; text: the text',
    }),
  comment: z.string().max(10_000).optional().openapi({ description: 'A free note next to the answer' }),
});
export type Answer = z.output<typeof answerSchema>;

/** Problems with the ask in `metadata` (empty when it is fine or absent). */
export function checkAsk(type: string, metadata: Record<string, unknown>): ErrorDetail[] {
  const parsed = askMetadataSchema.safeParse(metadata);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => ({
      path: ['metadata', ...issue.path].join('.'),
      message: issue.message,
    }));
  }
  const ask = parsed.data;
  const problems: ErrorDetail[] = [];
  const choosing = ask.input_type === 'single' || ask.input_type === 'multiple';
  if (choosing && !ask.options) {
    problems.push({ path: 'metadata.options', message: `required for input_type ${ask.input_type}` });
  }
  if (!choosing && ask.options) {
    problems.push({ path: 'metadata.options', message: 'only for input_type single or multiple' });
  }
  const values = ask.options?.map((option) => option.value) ?? [];
  if (new Set(values).size !== values.length) {
    problems.push({ path: 'metadata.options', message: 'option values must be distinct' });
  }
  const ids = ask.actions?.map((entry) => entry.id) ?? [];
  if (new Set(ids).size !== ids.length) {
    problems.push({ path: 'metadata.actions', message: 'action ids must be distinct' });
  }
  if (type === 'needs_input' && !isAsk(ask)) {
    problems.push({
      path: 'metadata.input_type',
      message: 'a needs_input notification asks something: give input_type or actions',
    });
  }
  return problems;
}

export const isAsk = (metadata: Record<string, unknown>) =>
  metadata.input_type !== undefined || metadata.actions !== undefined;

/** Problems with `answer` as a reply to the ask in `metadata` (a well-formed ask, as stored). */
export function checkAnswer(metadata: AskMetadata, answer: Answer): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (metadata.actions) {
    if (answer.action === undefined) problems.push({ path: 'action', message: 'choose one of the actions' });
    else if (!metadata.actions.some((entry) => entry.id === answer.action)) {
      problems.push({
        path: 'action',
        message: `must be one of ${metadata.actions.map((a) => a.id).join(', ')}`,
      });
    }
  } else if (answer.action !== undefined) {
    problems.push({ path: 'action', message: 'this notification has no actions' });
  }
  const options = new Set(metadata.options?.map((option) => option.value));
  const value = answer.value;
  switch (metadata.input_type) {
    case undefined:
      if (value !== undefined)
        problems.push({ path: 'value', message: 'this notification asks for no value' });
      break;
    case 'confirmation':
      if (typeof value !== 'boolean') problems.push({ path: 'value', message: 'must be true or false' });
      break;
    case 'single':
      if (typeof value !== 'string' || !options.has(value)) {
        problems.push({ path: 'value', message: `must be one of ${[...options].join(', ')}` });
      }
      break;
    case 'multiple':
      if (!Array.isArray(value) || value.length === 0) {
        problems.push({ path: 'value', message: 'must be a non-empty list of option values' });
      } else if (new Set(value).size !== value.length || value.some((v) => !options.has(v))) {
        problems.push({ path: 'value', message: `must be distinct values among ${[...options].join(', ')}` });
      }
      break;
    case 'text':
      if (typeof value !== 'string' || value.trim() === '') {
        problems.push({ path: 'value', message: 'must be a non-empty text' });
      }
      break;
  }
  return problems;
}

/** The answer as one line of text, for the agent that asked. */
export function describeAnswer(answer: Answer): string {
  const parts: string[] = [];
  if (answer.action !== undefined) parts.push(`action: ${answer.action}`);
  if (answer.value !== undefined) {
    parts.push(`answer: ${Array.isArray(answer.value) ? answer.value.join(', ') : String(answer.value)}`);
  }
  if (answer.comment) parts.push(`comment: ${answer.comment}`);
  return parts.join('; ');
}
