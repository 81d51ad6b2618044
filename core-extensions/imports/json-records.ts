/**
 * A streaming splitter for JSON imports: a top-level array of values (`[{...},
 * {...}]`) or newline-delimited values (NDJSON), yielded one value at a time with
 * the line it starts on, so a file of any size is read in constant memory (one value
 * at a time) and errors name lines. It tracks only nesting depth, strings and
 * escapes; each value's text is then parsed by JSON.parse.
 */

export interface JsonValueText {
  text: string;
  line: number;
}

/** Largest single value accepted (a runaway value would otherwise grow without bound). */
const MAX_VALUE_CHARS = 1024 * 1024;

export async function* splitJsonValues(chunks: AsyncIterable<string>): AsyncGenerator<JsonValueText> {
  let line = 1;
  let depth = 0; // nesting inside the current value
  let inString = false;
  let escaped = false;
  let topArray: boolean | undefined; // undefined until the first non-blank character
  let current: string[] = [];
  let currentLength = 0;

  let startLine = 1;
  let scalar = false; // a top-level number/literal in progress

  for await (const chunk of chunks) {
    let from = -1; // where the current value started in this chunk
    if (depth > 0 || scalar) from = 0;
    const flush = (end: number) => {
      current.push(chunk.slice(from, end));
      currentLength += end - from;
    };
    for (let index = 0; index < chunk.length; index++) {
      const char = chunk[index]!;
      if (char === '\n') line++;
      if (inString) {
        if (escaped) escaped = false;
        else if (char === '\\') escaped = true;
        else if (char === '"') inString = false;
        continue;
      }
      if (topArray === undefined) {
        if (/\s/.test(char)) continue;
        topArray = char === '[';
        if (topArray) continue;
      }
      const atTop = depth === 0 && !scalar;
      if (atTop) {
        if (/\s/.test(char) || char === ',' || (topArray && char === ']')) continue;
        from = index;

        startLine = line;
        current = [];
        currentLength = 0;
        if (char === '{' || char === '[') depth = 1;
        else if (char === '"') {
          inString = true;
          scalar = true;
        } else scalar = true;
        continue;
      }
      if (scalar) {
        if (/[\s,\]]/.test(char)) {
          flush(index);
          yield { text: current.join(''), line: startLine };
          scalar = false;
          from = -1;
          if (char === '\n' || char === ',' || char === ']' || /\s/.test(char)) continue;
        }
        continue;
      }
      if (char === '"') inString = true;
      else if (char === '{' || char === '[') depth++;
      else if (char === '}' || char === ']') {
        depth--;
        if (depth === 0) {
          flush(index + 1);
          yield { text: current.join(''), line: startLine };
          from = -1;
        }
      }
    }
    if (from >= 0) {
      flush(chunk.length);
      if (currentLength > MAX_VALUE_CHARS) {
        throw new Error(
          `The JSON value starting on line ${startLine} is larger than ${MAX_VALUE_CHARS} characters`,
        );
      }
    }
  }
  if (scalar) yield { text: current.join(''), line: startLine };
  else if (depth > 0 || inString)
    throw new Error(`The JSON value starting on line ${startLine} is not complete`);
}
