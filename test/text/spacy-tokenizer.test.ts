// spaCy-compatible tokenizer: hand-written cases with the output of spaCy v3's
// English tokenizer (en_core_web_sm's nlp.tokenizer), which TorchText called for
// tokenize='spacy'. spaCy cannot be installed here; the expectations follow its
// documented examples, its tokenizer exceptions and its affix rules.
import { SpacyTokenizer, getTokenizer } from '../../lib/data';

const tok = new SpacyTokenizer();
const t = (s: string) => tok.tokenize(s);

describe("spaCy-compatible tokenizer: spaCy's documented examples", () => {
  test('Apple ... U.K. startup for $1 billion', () => {
    expect(t('Apple is looking at buying U.K. startup for $1 billion')).toEqual(
      ['Apple', 'is', 'looking', 'at', 'buying', 'U.K.', 'startup', 'for', '$', '1', 'billion']);
  });
  test("Let's go to N.Y.!", () => {
    expect(t("Let's go to N.Y.!")).toEqual(['Let', "'s", 'go', 'to', 'N.Y.', '!']);
  });
});

describe('contractions (tokenizer exceptions)', () => {
  test.each([
    ["I don't know.", ['I', 'do', "n't", 'know', '.']],
    ["It's great, isn't it?", ['It', "'s", 'great', ',', 'is', "n't", 'it', '?']],
    ["She'll be there.", ['She', "'ll", 'be', 'there', '.']],
    ["We can't and won't.", ['We', 'ca', "n't", 'and', 'wo', "n't", '.']],
    ["I'm sure you're right, they've said.", ['I', "'m", 'sure', 'you', "'re", 'right', ',', 'they', "'ve", 'said', '.']],
    ["He'd've ain't", ['He', "'d", "'ve", 'ai', "n't"]],
    ['gonna gotta cannot', ['gon', 'na', 'got', 'ta', 'can', 'not']],
    ["y'all", ["y'", 'all']],
    ['dont theyre id', ['do', 'nt', 'they', 're', 'i', 'd']],
    ['Its its well Hell ill', ['Its', 'its', 'well', 'Hell', 'ill']],
    ["DON'T", ["DON'T"]],
    ['don’t it’s', ['do', 'n’t', 'it', '’s']],
    ["(don't)", ['(', 'do', "n't", ')']],
    ["don't.", ['do', "n't", '.']],
    ["The movie's plot", ['The', 'movie', "'s", 'plot']],
    ["the actors' lines", ['the', 'actors', "'", 'lines']],
    ['9am and 10p.m.', ['9', 'am', 'and', '10', 'p.m.']],
  ] as Array<[string, string[]]>)('%j', (input, expected) => {
    expect(t(input)).toEqual(expected);
  });
});

describe('punctuation: prefixes, suffixes, infixes', () => {
  test.each([
    ['Hello, world!', ['Hello', ',', 'world', '!']],
    ['"Quoted" and \'single\'', ['"', 'Quoted', '"', 'and', "'", 'single', "'"]],
    ['(see: this)', ['(', 'see', ':', 'this', ')']],
    ['Yes!!!', ['Yes', '!', '!', '!']],
    ['Wait...what', ['Wait', '...', 'what']],
    ['Really... hmm....', ['Really', '...', 'hmm', '....']],
    ['The end.The start', ['The', 'end', '.', 'The', 'start']],
    ['hello,world', ['hello', ',', 'world']],
    ['a well-known actor', ['a', 'well', '-', 'known', 'actor']],
    ['a 10-year-old', ['a', '10', '-', 'year', '-', 'old']],
    ['1990-1995', ['1990', '-', '1995']],
    ['etc. e.g. Mr. Smith vs. Dr. Who', ['etc', '.', 'e.g.', 'Mr.', 'Smith', 'vs.', 'Dr.', 'Who']],
    ['C++ and/or w/o Ph.D.', ['C++', 'and/or', 'w/o', 'Ph.D.']],
    ['§5', ['§', '5']],
  ] as Array<[string, string[]]>)('%j', (input, expected) => {
    expect(t(input)).toEqual(expected);
  });
});

describe('numbers, units, currency', () => {
  test.each([
    ['It costs $5.99.', ['It', 'costs', '$', '5.99', '.']],
    ['This is 10/10.', ['This', 'is', '10/10', '.']],
    ['5km 100% 1990s', ['5', 'km', '100', '%', '1990s']],
    ['at 5:30pm', ['at', '5:30pm']],
    ['3.', ['3', '.']],
  ] as Array<[string, string[]]>)('%j', (input, expected) => {
    expect(t(input)).toEqual(expected);
  });
});

describe('URLs and e-mails stay whole', () => {
  test.each([
    ['Check https://www.example.com/path?x=1 now', ['Check', 'https://www.example.com/path?x=1', 'now']],
    ['see www.imdb.com/title/tt0111161.', ['see', 'www.imdb.com/title/tt0111161', '.']],
    // no suffix rule splits a '.' after '/', so it stays on the URL
    ['see www.imdb.com/title/.', ['see', 'www.imdb.com/title/.']],
    ['Mail me at john.doe@example.com.', ['Mail', 'me', 'at', 'john.doe@example.com', '.']],
    ['(http://imdb.com)', ['(', 'http://imdb.com', ')']],
  ] as Array<[string, string[]]>)('%j', (input, expected) => {
    expect(t(input)).toEqual(expected);
  });
});

describe('IMDb <br /> tags, as spaCy tokenizes them', () => {
  test('tags glued to words', () => {
    expect(t('the end.<br /><br />The next')).toEqual(['the', 'end.<br', '/><br', '/>The', 'next']);
  });
  test('tags after a space', () => {
    expect(t('the end. <br /><br />Next')).toEqual(['the', 'end', '.', '<', 'br', '/><br', '/>Next']);
  });
});

describe('whitespace', () => {
  test('one space separates; extra spaces, newlines and leading spaces are tokens', () => {
    expect(t('a  b')).toEqual(['a', ' ', 'b']);
    expect(t('a   b')).toEqual(['a', '  ', 'b']);
    expect(t('Hello\nworld')).toEqual(['Hello', '\n', 'world']);
    expect(t(' a')).toEqual([' ', 'a']);
    expect(t('a ')).toEqual(['a']);
    expect(t('')).toEqual([]);
    expect(t('a\u00a0b')).toEqual(['a', '\u00a0', 'b']);
  });
});

describe('emoticons and special cases across affixes', () => {
  test.each([
    ['Great :)', ['Great', ':)']],
    ['I <3 it', ['I', '<3', 'it']],
    ['fun:)', ['fun', ':)']],
    ["''Title''", ["''", 'Title', "''"]],
    // the emoticon '")' is a special case, so spaCy v3's matcher pass merges it after a quote
    ['("Jumanji")', ['(', '"', 'Jumanji', '")']],
    // a space between the pieces keeps them apart
    ['fun : )', ['fun', ':', ')']],
  ] as Array<[string, string[]]>)('%j', (input, expected) => {
    expect(t(input)).toEqual(expected);
  });
});

describe('tokenizer plumbing', () => {
  test('tokenizeIds matches tokenize through the interner', () => {
    const text = "It's a well-made film.<br /><br />I'd give it 8/10 :)";
    const ids = tok.tokenizeIds(text);
    expect(Array.from(ids, (id) => tok.interner.keys[id])).toEqual(t(text));
  });
  test('cached and uncached runs agree', () => {
    const fresh = new SpacyTokenizer();
    const text = '"Wow!" she said... (really) -- it\'s 100% true, e.g. at 9am.';
    const first = fresh.tokenize(text);
    expect(fresh.tokenize(text)).toEqual(first);
    fresh.clearCache();
    expect(fresh.tokenize(text)).toEqual(first);
  });
  test("getTokenizer('spacy') uses it", () => {
    expect(getTokenizer('spacy')("don't")).toEqual(['do', "n't"]);
  });
  test('unknown tokenizer names are rejected with the received value', () => {
    expect(() => getTokenizer('moses' as never)).toThrow(/Expected 'spacy', 'basic_english', 'whitespace' or a function.* for tokenize but received string "moses"/);
  });
});
