#!/usr/bin/env node
// Runs the TypeScript CLI in this process through tsx (one process: stdio stays direct).
import { register } from 'tsx/esm/api';

register();
await import('../kernel/cli/maskin.ts');
