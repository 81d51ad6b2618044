-- Responses that carry a secret (an API key, a stream ticket) are never stored by the
-- idempotency ledger: the row remembers only that the request ran and its status, and
-- a replay answers 409 (kernel/http/idempotency.ts).
alter table idempotency_keys add column secret_withheld boolean not null default false;

-- Rows written before this migration may hold an API key in clear: forget those bodies.
update idempotency_keys
   set response_body = null, response_content_type = null, secret_withheld = true
 where response_body like '%ank\_%' escape '\' or response_body like '%stk\_%' escape '\';
