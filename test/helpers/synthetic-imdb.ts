// A small aclImdb folder whose labels a model can learn: positive reviews use positive words, negative
// ones negative words, both padded with shared filler of varying length.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const POS = ['great', 'wonderful', 'superb', 'loved', 'brilliant'];
const NEG = ['awful', 'terrible', 'boring', 'hated', 'dreadful'];
const FILLER = ['the', 'film', 'was', 'a', 'movie', 'plot', 'actor', 'scene', 'and', 'it'];

export function syntheticImdb(perLabel = 40): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'synthetic-imdb-'));
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const split of ['train', 'test']) {
    for (const label of ['pos', 'neg']) {
      const dir = path.join(root, 'aclImdb', split, label);
      fs.mkdirSync(dir, { recursive: true });
      const words = label === 'pos' ? POS : NEG;
      for (let id = 0; id < perLabel; id++) {
        const n = 4 + Math.floor(rand() * 12);
        const tokens = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? words[Math.floor(rand() * words.length)] : FILLER[Math.floor(rand() * FILLER.length)]));
        fs.writeFileSync(path.join(dir, `${id}_${label === 'pos' ? 9 : 2}.txt`), tokens.join(' ') + ' .');
      }
    }
  }
  return root;
}
