/** vitest globalSetup for extension tests: one blank PGlite template per run (see helpers/global-setup.ts). */
export { default } from '../helpers/global-setup.ts';
