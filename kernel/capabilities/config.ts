/** configRef: the kernel configuration without the credentials behind dbRef and secretsRef. */
import { configRef } from '../contract/refs.ts';
import { createServiceFactory } from '../contract/service-factory.ts';
import { internalConfigRef } from './internal-refs.ts';

export const configFactory = createServiceFactory({
  service: configRef,
  scope: 'kernel',
  deps: { config: internalConfigRef },
  // Extensions reach the database through dbRef and secrets through secretsRef: the
  // credentials behind them are not theirs to read.
  factory: ({ config: { databaseUrl: _url, secretKey: _key, blobs: _blobs, ...visible } }) =>
    Object.freeze(visible),
});
