import { createRoute, z } from '@hono/zod-openapi';
import { ApiError } from '../contract/errors.ts';
import { defineRoute, jsonResponse } from '../contract/route.ts';
import type { KernelServices } from '../services.ts';
import { DatabaseProbe } from './database-probe.ts';

export function healthRoutes(k: KernelServices) {
  const probe = new DatabaseProbe(k.database);
  return [
    defineRoute({
      access: { auth: 'public' },
      route: createRoute({
        method: 'get',
        path: '/',
        tags: ['Kernel'],
        summary: 'Liveness and database check (the database is asked at most once a second)',
        description:
          'Public, no key. 200 with the database kind when the server is up and its database answers; 503 UNAVAILABLE while the server is still starting or when the database is unreachable. Load balancers and `npm start` scripts poll it.',
        responses: {
          200: jsonResponse(
            z.object({ status: z.literal('ok'), database: z.enum(['postgres', 'pglite']) }).openapi('Health'),
            'Healthy',
          ),
          503: { description: 'The database is unreachable' },
        },
      }),
      handler: async (c) => {
        try {
          await probe.check();
        } catch (error) {
          c.get('logger').error({ err: error }, 'health check failed');
          throw new ApiError(503, 'UNAVAILABLE', 'Database unreachable');
        }
        return c.json({ status: 'ok' as const, database: k.database.kind }, 200);
      },
    }),
  ];
}
