/**
 * spaCy v3 English tokenizer exceptions (special cases): the language-neutral
 * BASE_EXCEPTIONS and emoticons (spacy/lang/tokenizer_exceptions.py) plus the
 * English ones (spacy/lang/en/tokenizer_exceptions.py), merged and expanded
 * with curly-apostrophe variants exactly as `spacy.util.update_exc` does.
 * Only the ORTH (surface form) of each piece matters for tokenization.
 */

type Exc = Map<string, string[]>;

function title(s: string): string {
  // Python's str.title() on the ASCII words used here: first letter upper.
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function baseExceptions(): Exc {
  const exc: Exc = new Map();
  for (const orth of [' ', '\t', '\\t', '\n', '\\n', '\u2014', '\u00a0']) exc.set(orth, [orth]);
  const singles = ["'", '\\")', '<space>', "''", 'C++'];
  for (const c of 'abcdefghijklmnopqrstuvwxyzäöü') singles.push(`${c}.`);
  for (const orth of singles) exc.set(orth, [orth]);
  const emoticons = String.raw`
:) :-) :)) :-)) :))) :-))) (: (-: =) (= ") :] :-] [: [-: :o) (o: :} :-} 8) 8-) (-8 ;) ;-) (; (-;
:( :-( :(( :-(( :((( :-((( ): )-: =( >:( :') :'-) :'( :'-( :/ :-/ =/ =| :| :-| :1 :P :-P :p :-p
:O :-O :o :-o :0 :-0 :() >:o :* :-* :3 :-3 =3 :> :-> :X :-X :x :-x :D :-D ;D ;-D =D xD XD xDD XDD
8D 8-D ^_^ ^__^ ^___^ >.< >.> <.< ._. ;_; -_- -__- v.v V.V v_v V_V o_o o_O O_o O_O 0_o o_0 0_0
o.O O.o O.O o.o 0.0 o.0 0.o @_@ <3 <33 <333 </3 (^_^) (-_-) (._.) (>_<) (*_*) (¬_¬) ಠ_ಠ ಠ︵ಠ (ಠ_ಠ)
¯\(ツ)/¯ (╯°□°）╯︵┻━┻ ><(((*>`;
  for (const orth of emoticons.split(/\s+/).filter(Boolean)) exc.set(orth, [orth]);
  return exc;
}

function englishExceptions(): Exc {
  const exc: Exc = new Map();
  const set = (orth: string, pieces: string[]) => exc.set(orth, pieces);

  for (const pron of ['i']) {
    for (const orth of [pron, title(pron)]) {
      set(`${orth}'m`, [orth, "'m"]);
      set(`${orth}m`, [orth, 'm']);
      set(`${orth}'ma`, [orth, "'m", 'a']);
      set(`${orth}ma`, [orth, 'm', 'a']);
    }
  }
  for (const pron of ['i', 'you', 'he', 'she', 'it', 'we', 'they']) {
    for (const orth of [pron, title(pron)]) {
      set(`${orth}'ll`, [orth, "'ll"]);
      set(`${orth}ll`, [orth, 'll']);
      set(`${orth}'ll've`, [orth, "'ll", "'ve"]);
      set(`${orth}llve`, [orth, 'll', 've']);
      set(`${orth}'d`, [orth, "'d"]);
      set(`${orth}d`, [orth, 'd']);
      set(`${orth}'d've`, [orth, "'d", "'ve"]);
      set(`${orth}dve`, [orth, 'd', 've']);
    }
  }
  for (const pron of ['i', 'you', 'we', 'they']) {
    for (const orth of [pron, title(pron)]) {
      set(`${orth}'ve`, [orth, "'ve"]);
      set(`${orth}ve`, [orth, 've']);
    }
  }
  for (const pron of ['you', 'we', 'they']) {
    for (const orth of [pron, title(pron)]) {
      set(`${orth}'re`, [orth, "'re"]);
      set(`${orth}re`, [orth, 're']);
    }
  }
  for (const pron of ['he', 'she', 'it']) {
    for (const orth of [pron, title(pron)]) {
      set(`${orth}'s`, [orth, "'s"]);
      set(`${orth}s`, [orth, 's']);
    }
  }
  const wWords: Array<[string, 'sing' | 'plur' | null]> = [
    ['who', null], ['what', null], ['when', null], ['where', null], ['why', null], ['how', null],
    ['there', null], ['that', 'sing'], ['this', 'sing'], ['these', 'plur'], ['those', 'plur'],
  ];
  for (const [word, morph] of wWords) {
    for (const orth of [word, title(word)]) {
      if (morph !== 'plur') {
        set(`${orth}'s`, [orth, "'s"]);
        set(`${orth}s`, [orth, 's']);
      }
      set(`${orth}'ll`, [orth, "'ll"]);
      set(`${orth}ll`, [orth, 'll']);
      set(`${orth}'ll've`, [orth, "'ll", "'ve"]);
      set(`${orth}llve`, [orth, 'll', 've']);
      if (morph !== 'sing') {
        set(`${orth}'re`, [orth, "'re"]);
        set(`${orth}re`, [orth, 're']);
        set(`${orth}'ve`, [orth, "'ve"]);
        set(`${orth}ve`, [orth, 've']);
      }
      set(`${orth}'d`, [orth, "'d"]);
      set(`${orth}d`, [orth, 'd']);
      set(`${orth}'d've`, [orth, "'d", "'ve"]);
      set(`${orth}dve`, [orth, 'd', 've']);
    }
  }
  const modalNeg = ['ca', 'could', 'do', 'does', 'did', 'had', 'may', 'might', 'must', 'need', 'ought', 'sha',
    'should', 'wo', 'would'];
  for (const verb of modalNeg) {
    for (const orth of [verb, title(verb)]) {
      set(`${orth}n't`, [orth, "n't"]);
      set(`${orth}nt`, [orth, 'nt']);
      set(`${orth}n't've`, [orth, "n't", "'ve"]);
      set(`${orth}ntve`, [orth, 'nt', 've']);
    }
  }
  for (const verb of ['could', 'might', 'must', 'should', 'would']) {
    for (const orth of [verb, title(verb)]) {
      set(`${orth}'ve`, [orth, "'ve"]);
      set(`${orth}ve`, [orth, 've']);
    }
  }
  for (const verb of ['ai', 'are', 'is', 'was', 'were', 'have', 'has', 'dare']) {
    for (const orth of [verb, title(verb)]) {
      set(`${orth}n't`, [orth, "n't"]);
      set(`${orth}nt`, [orth, 'nt']);
    }
  }
  for (const word of ['doin', 'goin', 'nothin', 'nuthin', 'ol', 'somethin']) {
    for (const orth of [word, title(word)]) {
      set(orth, [orth]);
      set(`${orth}'`, [`${orth}'`]);
    }
  }
  for (const word of ['em', 'll', 'nuff']) {
    set(word, [word]);
    set(`'${word}`, [`'${word}`]);
  }
  for (let h = 1; h <= 12; h++) {
    for (const period of ['a.m.', 'am', 'p.m.', 'pm']) set(`${h}${period}`, [`${h}`, period]);
  }
  const other: Array<[string, string[]]> = [
    ["y'all", ["y'", 'all']], ['yall', ['y', 'all']],
    ["how'd'y", ['how', "'d", "'y"]], ["How'd'y", ['How', "'d", "'y"]],
    ["not've", ['not', "'ve"]], ['notve', ['not', 've']], ["Not've", ['Not', "'ve"]], ['Notve', ['Not', 've']],
    ['cannot', ['can', 'not']], ['Cannot', ['Can', 'not']],
    ['gonna', ['gon', 'na']], ['Gonna', ['Gon', 'na']],
    ['gotta', ['got', 'ta']], ['Gotta', ['Got', 'ta']],
    ["let's", ['let', "'s"]], ["Let's", ['Let', "'s"]],
    ["c'mon", ["c'm", 'on']], ["C'mon", ["C'm", 'on']],
  ];
  for (const [orth, pieces] of other) set(orth, pieces);
  const singles = [
    "'S", "'s", '\u2018S', '\u2018s', 'and/or', 'w/o', "'re", "'Cause", "'cause", "'cos", "'Cos", "'coz", "'Coz",
    "'cuz", "'Cuz", "'bout", "ma'am", "Ma'am", "o'clock", "O'clock", "lovin'", "Lovin'", 'lovin', 'Lovin',
    "havin'", "Havin'", 'havin', 'Havin', "doin'", "Doin'", 'doin', 'Doin', "goin'", "Goin'", 'goin', 'Goin',
    'Mt.', 'Ak.', 'Ala.', 'Apr.', 'Ariz.', 'Ark.', 'Aug.', 'Calif.', 'Colo.', 'Conn.', 'Dec.', 'Del.', 'Feb.',
    'Fla.', 'Ga.', 'Ia.', 'Id.', 'Ill.', 'Ind.', 'Jan.', 'Jul.', 'Jun.', 'Kan.', 'Kans.', 'Ky.', 'La.', 'Mar.',
    'Mass.', 'Mich.', 'Minn.', 'Miss.', 'N.C.', 'N.D.', 'N.H.', 'N.J.', 'N.M.', 'N.Y.', 'Neb.', 'Nebr.', 'Nev.',
    'Nov.', 'Oct.', 'Okla.', 'Ore.', 'Pa.', 'S.C.', 'Sep.', 'Sept.', 'Tenn.', 'Va.', 'Wash.', 'Wis.',
    "'d", 'a.m.', 'Adm.', 'Bros.', 'co.', 'Co.', 'Corp.', 'D.C.', 'Dr.', 'e.g.', 'E.g.', 'E.G.', 'Gen.', 'Gov.',
    'i.e.', 'I.e.', 'I.E.', 'Inc.', 'Jr.', 'Ltd.', 'Md.', 'Messrs.', 'Mo.', 'Mont.', 'Mr.', 'Mrs.', 'Ms.',
    'p.m.', 'Ph.D.', 'Prof.', 'Rep.', 'Rev.', 'Sen.', 'St.', 'vs.', 'v.s.',
  ];
  for (const orth of singles) set(orth, [orth]);
  for (const orth of ['Ill', 'ill', 'Its', 'its', 'Hell', 'hell', 'Shell', 'shell', 'Shed', 'shed', 'were', 'Were',
    'Well', 'well', 'Whore', 'whore']) {
    exc.delete(orth);
  }
  return exc;
}

/** spacy.util.update_exc(BASE_EXCEPTIONS, _exc) for English, with the ' -> ’ expansion. */
export function englishSpecialCases(): Exc {
  const merged: Exc = new Map([...baseExceptions(), ...englishExceptions()]);
  for (const [orth, pieces] of [...merged]) {
    if (orth.includes("'")) {
      merged.set(orth.replace(/'/g, '\u2019'), pieces.map((p) => p.replace(/'/g, '\u2019')));
    }
  }
  for (const [orth, pieces] of merged) {
    if (pieces.join('') !== orth) throw new Error(`spacy exceptions: pieces of ${JSON.stringify(orth)} do not spell it`);
  }
  return merged;
}
