-- Request counters per key or client address and fixed window, shared by every process
-- (kernel/http/rate-limit.ts). Rows of past windows are deleted as they age.
create table rate_limit_windows (
  bucket text not null,
  window_start timestamptz not null,
  used integer not null,
  primary key (bucket, window_start)
);
create index rate_limit_windows_start on rate_limit_windows (window_start);
