/** Error codes of integrations (declared in the manifest, documented in OpenAPI). */
import type { ExtensionErrors } from '@maskin/contract';

export const errors = {
  INTEGRATION_PROVIDER_UNKNOWN: { status: 404, description: 'No running provider has this id' },
  INTEGRATION_PROVIDER_NOT_CONFIGURED: {
    status: 409,
    description: "The provider's OAuth client is not configured on this installation",
  },
  INTEGRATION_API_KEY_INVALID: { status: 422, description: 'The provider refused the API key' },
  INTEGRATION_EXTERNAL_ID_TAKEN: {
    status: 409,
    description: 'Another workspace already connected this installation, team or organization',
  },
} as const satisfies ExtensionErrors;
