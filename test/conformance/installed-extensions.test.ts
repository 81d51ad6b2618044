/**
 * Every installed extension (core-extensions/ and extensions/) passes the
 * conformance suite; a new extension folder is covered without touching this file.
 */
import { join } from 'node:path';
import { discoverExtensions } from '../../kernel/registry/load-extensions.ts';
import { runConformance } from './conformance.ts';

const root = join(import.meta.dirname, '..', '..');
runConformance(await discoverExtensions(root, []));
