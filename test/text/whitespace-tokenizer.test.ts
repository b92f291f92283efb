// 'whitespace' is Python's str.split(): Unicode whitespace as Python defines it.
import { getTokenizer, whitespaceTokenize } from '../../lib/data';

describe('whitespace tokenizer', () => {
  test('splits on runs of whitespace and drops empty tokens', () => {
    expect(whitespaceTokenize('  a  b\tc\nd  ')).toEqual(['a', 'b', 'c', 'd']);
    expect(whitespaceTokenize('')).toEqual([]);
  });
  test("uses Python's whitespace: \\x1c-\\x1f and \\x85 split, \\ufeff does not", () => {
    expect(whitespaceTokenize('a\u001cb\u0085c\u00a0d\u3000e')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(whitespaceTokenize('a\ufeffb')).toEqual(['a\ufeffb']);
  });
  test('is the default tokenizer, and functions pass through', () => {
    expect(getTokenizer(undefined)('x y')).toEqual(['x', 'y']);
    const fn = (s: string) => s.split('-');
    expect(getTokenizer(fn)).toBe(fn);
  });
});
