import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { queryNames } from './unknown-input.ts';

const fromUrl = (url: string) => [...new Set(new URL(url).searchParams.keys())];

describe('queryNames', () => {
  it('names what URL.searchParams names, for any request target Node accepts', () => {
    // What an HTTP request line can carry: printable ASCII without spaces (Node's parser
    // refuses the rest), percent-escapes included; anything else arrives percent-encoded.
    const char = fc.oneof(
      fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
      fc.constantFrom('%20', '%26', '%3D', '%C3%A9', '%', '%zz', '+'),
    );
    const text = fc.array(char, { maxLength: 40 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(text, fc.option(text), fc.option(text), (path, query, fragment) => {
        const url = `http://127.0.0.1:3000/${path.replaceAll('?', '').replaceAll('#', '')}${
          query === null ? '' : `?${query.replaceAll('#', '')}`
        }${fragment === null ? '' : `#${fragment}`}`;
        expect(queryNames(url)).toEqual(fromUrl(url));
      }),
      { numRuns: 2000 },
    );
  });

  it('answers without parsing when there is no query, and once per repeated name', () => {
    expect(queryNames('http://h/api/objects/1')).toEqual([]);
    expect(queryNames('http://h/x?a=1&b=&a=2&c%20d=3&e')).toEqual(['a', 'b', 'c d', 'e']);
  });
});
