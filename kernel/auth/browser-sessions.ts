/**
 * Browser sessions through extensions' authentication providers.
 *
 * A browser should not hold an API key in JavaScript. An extension may contribute an
 * `AuthProvider` that maps a request (typically an HttpOnly cookie it set itself) to
 * the id of an API key. The kernel asks providers only when a request has no
 * Authorization header, in installation order, and the first answer wins. The key id
 * is then checked now, in the database (ApiKeyVerifier.verifyKeyId, never a cache),
 * so the request is exactly that key's: same actor, roles and workspaces, and a
 * revoked or expired key ends the session on its next request.
 *
 * Cookies are sent by the browser on its own, so a cookie-authenticated request with
 * an unsafe method must prove it comes from script on a page that may send it: it
 * must carry the header `X-Maskin-CSRF` (any non-empty value). A cross-site form
 * cannot set a header, and a cross-site script can only with a CORS preflight that
 * this server never answers with `Access-Control-Allow-Credentials`, so the header
 * cannot arrive together with the cookie from another site. GET, HEAD and OPTIONS
 * change nothing and need no header.
 *
 * A provider that throws is a bug in it: the request is refused (401) and the error
 * logged, never let through.
 */
import type { Logger } from 'pino';
import type { AuthContext } from '../contract/context.ts';
import { forbidden, unauthorized } from '../contract/errors.ts';
import type { AuthProvider } from '../contract/extension.ts';
import type { ApiKeyVerifier } from './api-key-verifier.ts';

export const CSRF_HEADER = 'x-maskin-csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface RegisteredProvider {
  extensionId: string;
  provider: AuthProvider;
}

export class BrowserSessions {
  private readonly providers: RegisteredProvider[] = [];

  constructor(
    private readonly verifier: ApiKeyVerifier,
    private readonly logger: Logger,
  ) {}

  register(extensionId: string, providers: readonly AuthProvider[]): void {
    for (const provider of providers) this.providers.push({ extensionId, provider });
  }

  get isEmpty(): boolean {
    return this.providers.length === 0;
  }

  /** The caller of a request without an Authorization header, or 401. */
  async authenticate(request: Request): Promise<AuthContext> {
    const keyId = await this.keyIdOf(request);
    if (keyId === undefined) throw unauthorized();
    if (!SAFE_METHODS.has(request.method) && !request.headers.get(CSRF_HEADER)) {
      throw forbidden(
        `A request authenticated by a browser session must send the X-Maskin-CSRF header for ${request.method}; ` +
          'scripts add it to every unsafe request (it protects against cross-site request forgery)',
      );
    }
    return this.verifier.verifyKeyId(keyId);
  }

  private async keyIdOf(request: Request): Promise<string | undefined> {
    for (const { extensionId, provider } of this.providers) {
      let keyId: string | undefined;
      try {
        keyId = await provider.authenticate(request);
      } catch (error) {
        this.logger.error(
          { err: error, extension: extensionId, provider: provider.id },
          'authentication provider failed; request refused',
        );
        throw unauthorized('The session could not be checked');
      }
      if (keyId === undefined) continue;
      if (typeof keyId !== 'string' || !UUID.test(keyId)) {
        this.logger.error(
          { extension: extensionId, provider: provider.id },
          'authentication provider returned a malformed key id',
        );
        throw unauthorized('The session could not be checked');
      }
      return keyId;
    }
    return undefined;
  }
}
