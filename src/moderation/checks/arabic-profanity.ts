import ldnoobwArabic from 'naughty-words/ar.json';

/**
 * Arabic terms: the maintained LDNOOBW list, plus common insults it lacks. Kept as written;
 * they are folded with the same normalisation as the messages before matching.
 */
const EXTRA = [
  'منيوك',
  'منيوكه',
  'كسمك',
  'كس امك',
  'كسختك',
  'يلعن ابوك',
  'ابن الكلب',
  'ابن الشرموطه',
  'زبي',
  'طيزك',
  'خرا',
  'شرموط',
  'معرص',
  'قحبه',
  'ديوث',
  'متناك',
];

// Words of the list that are ordinary vocabulary in everyday chat (body, feelings, news).
const TOO_COMMON = new Set([
  'ثدي',
  'شهوة',
  'احتلام',
  'اغتصاب',
  'مبادل',
  'شاذ',
  'لعق',
  'لحس',
  'مص',
  'تمص',
  'بيضان',
  // names, trades and everyday words first (issue 16): Faraj (a name; "relief"), a rod or bar
  // (قضيب حديد), the cloth merchant (البزاز, سوق البزازين; also a surname), and حلمة, which
  // folds like حلمه ("his dream")
  'فرج',
  'قضيب',
  'بزاز',
  'حلمة',
]);

export const ARABIC_PROFANITY: string[] = [
  ...ldnoobwArabic.filter((w) => !TOO_COMMON.has(w)),
  ...EXTRA,
];
