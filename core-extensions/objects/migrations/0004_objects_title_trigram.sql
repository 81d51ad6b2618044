-- Typo tolerance for search (search.ts): when full-text search finds nothing, titles
-- are matched by trigram word similarity ("exprt" finds "CSV export"). pg_trgm ships
-- with PostgreSQL (contrib, trusted since 13: a database owner may create it) and is
-- loaded into the embedded PGlite. Where it cannot be created (a server without
-- contrib), search simply has no fallback; that must not stop the server from starting.
do $$
begin
  create extension if not exists pg_trgm;
exception when others then
  raise notice 'pg_trgm is not available (%): search will have no typo tolerance', sqlerrm;
end
$$;
