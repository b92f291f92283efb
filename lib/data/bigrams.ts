/**
 * The FastText tutorial's `generate_bigrams`: appends each distinct bigram of `tokens` ("a b", in
 * order of first occurrence) to the array, which it returns. Used as a Field's `preprocessing`.
 */
export function generateBigrams(tokens: string[]): string[] {
  if (!Array.isArray(tokens)) throw new TypeError(`Expected an array of tokens for tokens but received ${typeof tokens}`);
  const n = tokens.length;
  const seen = new Set<string>();
  for (let i = 0; i + 1 < n; i++) {
    const bigram = `${tokens[i]} ${tokens[i + 1]}`;
    if (!seen.has(bigram)) {
      seen.add(bigram);
      tokens.push(bigram);
    }
  }
  return tokens;
}
