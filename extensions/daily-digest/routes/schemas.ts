import { z } from '@maskin/contract';

const recipientSchema = z.object({ id: z.string().uuid(), name: z.string(), role: z.string() });

export const digestSchema = z
  .object({
    id: z.string().uuid(),
    job_id: z.string().uuid(),
    item_count: z.number().int(),
    recipient_count: z.number().int(),
    recipients: z.array(recipientSchema),
    insight_id: z.string().uuid().nullable(),
    delivered_at: z.string().nullable(),
    acknowledged_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('DailyDigestDigest');

export const digestItemSchema = z
  .object({
    event_id: z.number().int(),
    event_type: z.string(),
    object_id: z.string().uuid(),
    summary: z.string(),
  })
  .openapi('DailyDigestItem');

export const digestDetailSchema = digestSchema
  .extend({ items: z.array(digestItemSchema) })
  .openapi('DailyDigestDigestDetail');

export const compileAcceptedSchema = z
  .object({
    job_id: z.string().uuid(),
    created: z.boolean().openapi({ description: 'False when a compile was already waiting to run' }),
    pending_items: z.number().int(),
  })
  .openapi('DailyDigestCompileAccepted');

export const receiptSchema = z
  .object({ digest_id: z.string().uuid(), received_at: z.string().max(40).optional() })
  .openapi('DailyDigestReceipt');

export const receiptAnswerSchema = z
  .object({ digest_id: z.string().uuid(), acknowledged_at: z.string() })
  .openapi('DailyDigestReceiptAnswer');

export const digestIdParam = z.object({ id: z.string().uuid() });
