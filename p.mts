import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

let t = Date.now();
const pg = await PGlite.create({ extensions: { pg_trgm } });
console.log('create', Date.now() - t);
t = Date.now();
const dump = await pg.dumpDataDir('none');
console.log('dump', Date.now() - t, dump.size);
t = Date.now();
const pg2 = await PGlite.create({ loadDataDir: dump, extensions: { pg_trgm } });
console.log('load', Date.now() - t);
await pg2.exec('create extension if not exists pg_trgm; select 1;');
await pg2.listen('x', (p) => console.log('notified', p));
await pg2.transaction(async (tx) => {
  await tx.exec("select pg_notify('x','hi'); select pg_advisory_xact_lock(1)");
});
console.log((await pg2.query('select version()')).rows);
await new Promise((r) => setTimeout(r, 100));
