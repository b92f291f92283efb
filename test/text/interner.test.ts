// TokenInterner: the id table behind the interned tokenizers.
import { TokenInterner } from '../../lib/text/interner';

describe('TokenInterner', () => {
  test('dense stable ids, lookups by span, growth past the first table', () => {
    const it = new TokenInterner();
    const ids = Array.from({ length: 5000 }, (_, i) => it.intern(`tok${i}`));
    expect(ids).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(it.intern('tok42')).toBe(42);
    expect(it.find('tok4999')).toBe(4999);
    expect(it.find('nope')).toBe(-1);
    expect(it.size).toBe(5000);
    expect(it.tokens([42, 0, 42])).toEqual(['tok42', 'tok0', 'tok42']);
  });
});
