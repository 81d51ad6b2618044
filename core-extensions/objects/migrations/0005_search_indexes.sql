-- Search indexes, checked with EXPLAIN (ANALYZE, BUFFERS) on 100,000 objects (npm run
-- bench -- plans; docs/performance.md records a run).
--
-- 1. The typo fallback (search.ts) matches titles with pg_trgm's `<%` at word
-- similarity 0.4. Without an index it read every title of the workspace: 150 ms on
-- PostgreSQL, 300 ms on PGlite at 100,000 objects, for every search without a text
-- hit. This trigram index serves `<%` (0.2 ms for a query like no title, 10 ms for a
-- typo of a common word). Created only where pg_trgm is installed and its operator
-- class visible (migration 0004 tolerates a server without it); elsewhere search has
-- no fallback and needs no index.
--
-- 2. A GIN index keeps new entries in a pending list until the list exceeds
-- gin_pending_list_limit (4 MB by default) or a vacuum flushes it, and every search
-- reads the whole list. PGlite never vacuums, so there the list stays up to 4 MB: a
-- search that matches nothing took five times as long with 2.3 MB pending as with the
-- list flushed. At 256 kB the list costs a fraction of a millisecond; the insert that
-- crosses the limit flushes 256 kB instead of 4 MB, so writes pay about as much in all.
alter index objects_search set (gin_pending_list_limit = 256);

do $$
begin
  if exists (select 1 from pg_opclass where opcname = 'gin_trgm_ops' and pg_opclass_is_visible(oid)) then
    create index objects_title_trigram on objects using gin (title gin_trgm_ops)
      with (gin_pending_list_limit = 256);
  else
    raise notice 'pg_trgm is not available: no trigram index on object titles (search has no typo fallback)';
  end if;
end
$$;
