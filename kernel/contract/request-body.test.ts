import { describe, expect, it } from 'vitest';
import { matchesMediaType, mediaTypeOf } from './request-body.ts';

describe('media types', () => {
  it('reads the media type of a Content-Type header, without parameters or case', () => {
    expect(mediaTypeOf('Multipart/Form-Data; boundary=x')).toBe('multipart/form-data');
    expect(mediaTypeOf('  ')).toBeUndefined();
    expect(mediaTypeOf(undefined)).toBeUndefined();
  });

  it('matches declared types exactly, by wildcard, and JSON by its +json suffix', () => {
    expect(matchesMediaType('application/octet-stream', 'application/octet-stream')).toBe(true);
    expect(matchesMediaType('application/octet-stream', 'application/octet-streamx')).toBe(false);
    expect(matchesMediaType('image/*', 'image/png')).toBe(true);
    expect(matchesMediaType('image/*', 'text/png')).toBe(false);
    expect(matchesMediaType('*/*', 'text/plain')).toBe(true);
    expect(matchesMediaType('application/json', 'application/vnd.api+json')).toBe(true);
    expect(matchesMediaType('application/json', 'text/json')).toBe(false);
    expect(matchesMediaType('multipart/form-data', 'application/json')).toBe(false);
  });
});
