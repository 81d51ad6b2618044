/**
 * installationConfigRef: each field of the manifest's `config` object is read from its
 * environment variable (configVariableName), from the raw environment the kernel was
 * given (KernelOptions.env, default process.env). An empty variable counts as unset,
 * as container tooling often passes empty strings. Errors name the variable, never
 * its value. The registry resolves this for every extension with a `config` before
 * setup, so a bad value fails boot of that extension even if setup never asks for it.
 */
import { z } from 'zod';
import { configVariableName, installationConfigRef } from '../contract/installation-config.ts';
import { createServiceFactory } from '../contract/service-factory.ts';
import { internalEnvRef } from './internal-refs.ts';

/** The variable of each config field, by field name (empty without a config). */
export function configVariables(extensionId: string, schema: z.ZodType | undefined): Record<string, string> {
  if (!schema) return {};
  if (!(schema instanceof z.ZodObject)) {
    throw new Error(
      'its manifest config must be a z.object({...}): each field is filled from one environment variable',
    );
  }
  return Object.fromEntries(
    Object.keys(schema.shape).map((field) => [field, configVariableName(extensionId, field)]),
  );
}

export function readInstallationConfig(
  extensionId: string,
  schema: z.ZodType | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Readonly<Record<string, unknown>> {
  const variables = configVariables(extensionId, schema);
  if (!schema) return Object.freeze({});
  const raw = Object.fromEntries(
    Object.entries(variables).flatMap(([field, variable]) => {
      const value = env[variable];
      return value === undefined || value === '' ? [] : [[field, value]];
    }),
  );
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? '');
      const variable = variables[field] ?? `MASKIN_EXT_${extensionId.toUpperCase()}_*`;
      return `${variable}: ${raw[field] === undefined ? 'not set' : 'invalid'} (${issue.message})`;
    });
    throw new Error(
      `its installation config is invalid: ${problems.join('; ')}. Set ${problems.length > 1 ? 'these variables' : 'this variable'} in the server's environment and restart`,
    );
  }
  return Object.freeze(parsed.data as Record<string, unknown>);
}

export const installationConfigFactory = createServiceFactory({
  service: installationConfigRef,
  scope: 'extension',
  deps: { env: internalEnvRef },
  factory: ({ env }, { extension }) => readInstallationConfig(extension.id, extension.config, env),
});
