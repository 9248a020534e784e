/**
 * Fingerprint words: a 32-byte digest (a letter id, a log root hash) shown as a few common words,
 * so that two people can compare it aloud or on paper ("at size 42 the log reads: otter, violin,
 * ...") in English or in French.
 *
 * The mapping (docs/protocol.md §1.1, "fingerprint words v2"): for i = 0, 1, …, count − 1, start
 * at j = byte i of the digest; while list position j was already taken by an earlier word of this
 * fingerprint, step to j + 1 (after 255 comes 0); word i is list[j], and j is taken. So no word
 * repeats within one fingerprint ("loup … loup" read like a bug over the phone), and a digest
 * whose first bytes are all distinct gets exactly the words of v1 (word i = list[byte i]).
 * Each list has exactly 256 words, so a word carries about 8 bits and the default 8 words about
 * the first 64 bits of the digest. Both lists are walked by the same positions, so an English and
 * a French reader compare the same bits. Words are lowercase ASCII (no accents to mistype),
 * pairwise distinct, and no word is a prefix of another in its list. Changing a list or the
 * mapping changes fingerprints already shown: both are frozen (tests pin them).
 *
 * Pure: no I/O.
 */
import { hexToBytes } from './encoding.ts';

export const FINGERPRINT_LANGUAGES = ['en', 'fr'] as const;
export type FingerprintLanguage = (typeof FINGERPRINT_LANGUAGES)[number];

/** Default number of words: 64 bits, enough that nobody can make two digests share them by trying. */
export const DEFAULT_FINGERPRINT_WORDS = 8;

export const WORDS_EN: readonly string[] = Object.freeze([
  'acorn', 'anchor', 'apple', 'arrow', 'attic', 'badge', 'bagel', 'banjo', 'barn', 'basket',
  'beach', 'beaver', 'bell', 'bench', 'berry', 'bison', 'blanket', 'boat', 'bonnet', 'bottle',
  'bowl', 'branch', 'bread', 'brick', 'bridge', 'broom', 'bucket', 'bugle', 'butter', 'cabin',
  'cactus', 'camel', 'candle', 'canoe', 'canyon', 'carpet', 'carrot', 'castle', 'cedar', 'cello',
  'chair', 'cherry', 'chess', 'cider', 'circle', 'cliff', 'clock', 'cloud', 'clover', 'coffee',
  'comet', 'copper', 'coral', 'cotton', 'cradle', 'crane', 'crayon', 'cricket', 'crown', 'cup',
  'daisy', 'desert', 'diamond', 'dolphin', 'donkey', 'dragon', 'drum', 'eagle', 'easel', 'engine',
  'falcon', 'feather', 'fence', 'fern', 'ferry', 'fiddle', 'flute', 'forest', 'fossil', 'fox',
  'garden', 'garlic', 'geyser', 'ginger', 'glacier', 'globe', 'goat', 'goose', 'granite', 'grape',
  'guitar', 'hammer', 'harbor', 'harp', 'hazel', 'helmet', 'heron', 'hill', 'honey', 'horse',
  'igloo', 'island', 'ivory', 'jacket', 'jaguar', 'jelly', 'kayak', 'kettle', 'kitten', 'koala',
  'ladder', 'lagoon', 'lantern', 'lemon', 'lily', 'lion', 'lizard', 'lobster', 'locket', 'magnet',
  'mango', 'maple', 'marble', 'meadow', 'melon', 'mirror', 'mitten', 'monkey', 'moon', 'moose',
  'mosaic', 'muffin', 'needle', 'nest', 'noodle', 'oak', 'oasis', 'ocean', 'olive', 'onion',
  'orange', 'orchid', 'otter', 'owl', 'paddle', 'panda', 'parrot', 'peach', 'peanut', 'pebble',
  'pencil', 'penguin', 'pepper', 'piano', 'pigeon', 'pillow', 'pine', 'planet', 'plum', 'pocket',
  'pony', 'potato', 'prairie', 'pumpkin', 'puzzle', 'quartz', 'quilt', 'rabbit', 'radish',
  'rainbow', 'raven', 'ribbon', 'river', 'robin', 'rocket', 'saddle', 'salmon', 'sandal', 'scarf',
  'shell', 'sheep', 'ship', 'silver', 'sled', 'snail', 'sofa', 'spider', 'spoon', 'squash', 'star',
  'statue', 'stone', 'stove', 'sugar', 'summit', 'sunset', 'swan', 'table', 'tiger', 'tomato',
  'torch', 'tower', 'tractor', 'trumpet', 'tulip', 'tunnel', 'turtle', 'valley', 'velvet',
  'violin', 'volcano', 'wagon', 'walnut', 'walrus', 'whale', 'wheat', 'willow', 'window', 'wizard',
  'wolf', 'yacht', 'yogurt', 'zebra', 'zipper', 'balloon', 'bamboo', 'biscuit', 'blossom',
  'buffalo', 'cabbage', 'cookie', 'emerald', 'flamingo', 'gazelle', 'hedgehog', 'jasmine', 'kiwi',
  'lavender', 'llama', 'lotus', 'mushroom', 'octopus', 'oyster', 'pancake', 'peacock', 'pelican',
  'puffin', 'raccoon', 'raisin', 'sapphire', 'sparrow', 'thunder', 'toucan', 'unicorn', 'vanilla',
  'waffle',
]);

export const WORDS_FR: readonly string[] = Object.freeze([
  'abeille', 'abricot', 'agneau', 'aigle', 'ananas', 'ancre', 'anguille', 'arbre', 'ardoise',
  'argent', 'armoire', 'avion', 'balai', 'baleine', 'ballon', 'banane', 'bambou', 'bateau',
  'berger', 'beurre', 'biscuit', 'bison', 'bougie', 'bouleau', 'bouteille', 'bouton', 'brioche',
  'brouette', 'buisson', 'cabane', 'cactus', 'cadeau', 'caillou', 'camion', 'canard', 'canot',
  'carotte', 'castor', 'cerise', 'chaise', 'chameau', 'chapeau', 'chaton', 'chemin', 'cheval',
  'chevreuil', 'chouette', 'citron', 'citrouille', 'clocher', 'colline', 'concombre', 'corbeau',
  'corde', 'coton', 'couronne', 'crayon', 'cuivre', 'cygne', 'dauphin', 'domino', 'dragon',
  'escargot', 'faucon', 'fauteuil', 'fenouil', 'ficelle', 'figue', 'flamant', 'flocon', 'fourmi',
  'fraise', 'framboise', 'fromage', 'galet', 'gant', 'girafe', 'glacier', 'gland', 'gorille',
  'goutte', 'grenouille', 'grotte', 'guitare', 'hamac', 'hameau', 'harpe', 'hibou', 'homard',
  'horloge', 'houx', 'igloo', 'jardin', 'jasmin', 'jonquille', 'journal', 'kayak', 'koala', 'lac',
  'laine', 'lampe', 'lanterne', 'lapin', 'laurier', 'lavande', 'lentille', 'licorne', 'lierre',
  'lilas', 'lion', 'loup', 'loutre', 'lune', 'luth', 'marron', 'manteau', 'marmotte', 'melon',
  'menthe', 'miroir', 'moineau', 'montagne', 'mouette', 'mouton', 'muguet', 'myrtille', 'navet',
  'neige', 'noisette', 'nuage', 'oasis', 'olive', 'ombrelle', 'orange', 'orge', 'ours', 'palmier',
  'panda', 'panier', 'papillon', 'parapluie', 'perle', 'phare', 'piano', 'pigeon', 'pinceau',
  'pingouin', 'piment', 'plage', 'plume', 'poire', 'poisson', 'pomme', 'pont', 'potiron',
  'poulain', 'prairie', 'puits', 'radis', 'raisin', 'renard', 'requin', 'robot', 'roche', 'roseau',
  'ruban', 'ruche', 'sabot', 'sable', 'salade', 'sapin', 'sardine', 'saule', 'savon', 'serpent',
  'sifflet', 'singe', 'soleil', 'sommet', 'souris', 'tambour', 'tapis', 'taupe', 'tigre', 'tomate',
  'tortue', 'toupie', 'tracteur', 'train', 'trompette', 'tulipe', 'tunnel', 'vache', 'valise',
  'violon', 'volcan', 'voilier', 'wagon', 'yaourt', 'amande', 'artichaut', 'autruche', 'avocat',
  'baguette', 'banjo', 'bassin', 'blaireau', 'bonnet', 'bourdon', 'boussole', 'brebis', 'cacao',
  'caramel', 'cerf', 'chalet', 'chandelle', 'chocolat', 'cigogne', 'colombe', 'crapaud', 'dindon',
  'furet', 'gazelle', 'gilet', 'gourde', 'granit', 'grillon', 'groseille', 'hamster', 'jaguar',
  'jambon', 'kiwi', 'lama', 'lotus', 'mangue', 'marteau', 'moulin', 'oignon', 'paille', 'pelle',
  'pieuvre', 'pivoine', 'pommier', 'poney', 'potager', 'quartz', 'raton', 'sanglier', 'saumon',
  'toucan', 'tuile', 'vanille', 'verger', 'vigne', 'vison', 'lutin',
]);

const LISTS: Record<FingerprintLanguage, readonly string[]> = { en: WORDS_EN, fr: WORDS_FR };

/**
 * The first `count` bytes of a hex digest as `count` distinct words. Throws RangeError on input that is not
 * lowercase hex of at least `count` bytes (a programmer error: digests come from our own code).
 */
export function fingerprintWords(hex: string, language: FingerprintLanguage, count: number = DEFAULT_FINGERPRINT_WORDS): string[] {
  if (!Number.isInteger(count) || count < 1 || count > 32) throw new RangeError('count must be an integer from 1 to 32');
  if (!/^(?:[0-9a-f]{2})+$/.test(hex) || hex.length < count * 2) {
    throw new RangeError(`a fingerprint needs at least ${count} bytes of lowercase hex`);
  }
  const list = LISTS[language];
  if (!list) throw new RangeError(`no word list for language ${String(language)}`);
  return fingerprintPositions(hex.slice(0, count * 2)).map((j) => list[j]);
}

/** The list positions of the words (the same for every language): docs/protocol.md §1.1. */
export function fingerprintPositions(hex: string): number[] {
  const taken = new Set<number>();
  return [...hexToBytes(hex)].map((byte) => {
    let j = byte;
    // At most 32 words, so a free position is always found within 32 steps.
    while (taken.has(j)) j = (j + 1) % 256;
    taken.add(j);
    return j;
  });
}
