-- An object's edges, newest first, from one index per end: GET /api/objects/{id} reads
-- the newest edges where the object is the source and the newest where it is the
-- target (two short index scans, each stopping at the limit) and merges them; the list
-- filtered by source or target pages by (created_at, id) through the same indexes.
-- Before, the object's read took every edge of either end through a bitmap of two
-- indexes and sorted them all, however many there were.
create index relationships_source_created on relationships (workspace_id, source_id, created_at desc, id desc);
create index relationships_target_created on relationships (workspace_id, target_id, created_at desc, id desc);
-- (workspace_id, target_id) is the new index's prefix.
drop index relationships_target;
