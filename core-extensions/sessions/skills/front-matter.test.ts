/** The SKILL.md front matter subset we read, without a kernel. */
import { describe, expect, it } from 'vitest';
import { parseSkillFrontMatter } from './front-matter.ts';

const ok = (content: string) => {
  const result = parseSkillFrontMatter(content);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
};
const problems = (content: string) => {
  const result = parseSkillFrontMatter(content);
  return result.ok ? [] : result.problems.map((p) => p.path);
};

describe('SKILL.md front matter', () => {
  it('reads plain, quoted, folded and literal values, CRLF and a BOM', () => {
    expect(ok('---\nname: pdf-tools\ndescription: Fills PDF forms\n---\nbody')).toEqual({
      name: 'pdf-tools',
      description: 'Fills PDF forms',
    });
    expect(ok('---\nname: \'a-b\'\ndescription: "Says \\"hi\\""\n---\n')).toEqual({
      name: 'a-b',
      description: 'Says "hi"',
    });
    expect(ok('---\nname: x1\ndescription: >\n  one\n  two\n---\n').description).toBe('one two');
    expect(ok('---\nname: x1\ndescription: |\n  one\n  two\n---\n').description).toBe('one\ntwo');
    expect(ok('\uFEFF---\r\nname: crlf\r\ndescription: d # a comment\r\n---\r\n')).toEqual({
      name: 'crlf',
      description: 'd',
    });
  });

  it('ignores other keys, including nested and list values', () => {
    const content =
      '---\nname: n\nallowed-tools:\n  - Bash\n  - Read\nmetadata:\n  version: 2\ndescription: d\n---\n';
    expect(ok(content)).toEqual({ name: 'n', description: 'd' });
  });

  it('refuses what Claude Code would not load', () => {
    expect(problems('no front matter')).toEqual(['content']);
    expect(problems('---\nname: n\ndescription: d\n')).toEqual(['content']);
    expect(problems('---\ndescription: d\n---\n')).toEqual(['content.name']);
    expect(problems('---\nname: n\n---\n')).toEqual(['content.description']);
    for (const name of [
      'Upper',
      'two--dashes',
      '-lead',
      'trail-',
      'under_score',
      'dot.ted',
      'x'.repeat(65),
      '../up',
    ]) {
      expect(problems(`---\nname: ${name}\ndescription: d\n---\n`), name).toEqual(['content.name']);
    }
    expect(problems(`---\nname: n\ndescription: ${'d'.repeat(1025)}\n---\n`)).toEqual([
      'content.description',
    ]);
  });
});
