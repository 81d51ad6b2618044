-- Indexes for every sort the list offers, checked with EXPLAIN (ANALYZE, BUFFERS) on
-- 100,000 objects (npm run bench -- plans; docs/performance.md records a run).
--
-- Lists order by (sort column, id) in one direction, ascending or descending. The
-- first indexes were (workspace_id, updated_at desc, id): the mixed directions forced
-- an incremental sort of every page. Same-direction indexes serve both orders (a
-- backward scan gives the other), and sorting by title read and sorted the whole
-- workspace (190 ms at 100,000 objects) for want of any index.
drop index objects_workspace_updated;
drop index objects_workspace_created;
create index objects_workspace_updated on objects (workspace_id, updated_at, id);
create index objects_workspace_created on objects (workspace_id, created_at, id);
create index objects_workspace_title on objects (workspace_id, title, id);
-- A filter on a rare type would otherwise walk the updated_at index past every other type.
create index objects_workspace_type_updated on objects (workspace_id, type, updated_at, id);
