// Sensible first values for the fields a kind requires, read from the selected words: a figure's number, unit,
// qualifier and subject ("about 4,500 tonnes of grain"), an attribution's source and cue ("Officials in Riga
// said"), a denial's denier and cue ("The ministry dismissed"). The reader confirms or corrects them.
import type { Kind, KindFields } from './model';

const MULTIPLIERS: Record<string, number> = {
  thousand: 1e3,
  million: 1e6,
  m: 1e6,
  mn: 1e6,
  billion: 1e9,
  bn: 1e9,
  trillion: 1e12,
};
const QUALIFIERS: Array<[RegExp, NonNullable<KindFields['qualifier']>, boolean]> = [
  [/\b(about|around|roughly|approximately|some|nearly|almost|an estimated)\s*$/i, 'about', true],
  [/\bat least\s*$/i, 'at_least', false],
  [/\bat most\s*$/i, 'at_most', false],
  [/\bup to\s*$/i, 'up_to', false],
  [/\b(more than|over)\s*$/i, 'more_than', false],
  [/\b(fewer than|less than|under)\s*$/i, 'fewer_than', false],
  [/\bexactly\s*$/i, 'exactly', false],
  [/\bincluding\s*$/i, 'including', false],
];
const ATTRIBUTION_CUES = /\s*\b(said|says|told|tells|stated|added|claimed|claims|reported|announced|wrote|warned)\b.*$/is;
const ACCORDING_TO = /^\s*according to\s+/i;
const DENIAL_CUES = /\b(has denied|have denied|denied|denies|dismissed|dismisses|rejected|rejects|refuted|disputed)\b/i;

/** A number in the selection: "4,500", "4 500" (any space between digit groups), "1.2 million", "12%", "3,5". */
export function parseFigure(selected: string): KindFields | null {
  const text = selected.replace(/[\u00a0\u202f\u2009]/g, ' ');
  const match = /[-\u2212]?\d{1,3}(?:([ ,.])\d{3})(?:\1\d{3})*(?:[.,]\d+)?|[-\u2212]?\d+(?:[.,]\d+)?/.exec(text);
  if (!match) return null;
  const value = toNumber(match[0], match[1]);
  if (!Number.isFinite(value)) return null;
  const fields: KindFields = { value };
  let rest = text.slice(match.index + match[0].length);
  const multiplier = /^\s*(thousand|million|billion|trillion|bn|mn|m)\b/i.exec(rest);
  if (multiplier) {
    fields.value = value * MULTIPLIERS[multiplier[1].toLowerCase()];
    rest = rest.slice(multiplier[0].length);
  }
  const unit = /^\s*(%|per ?cent\b|[\p{L}$€£¥]+)/iu.exec(rest);
  if (unit) {
    fields.unit = /^(%|per ?cent)$/i.test(unit[1]) ? 'percent' : unit[1];
    const subject = /^\s*of\s+([\p{L}-]+)/u.exec(rest.slice(unit[0].length));
    if (subject) fields.subject = subject[1];
  }
  const before = text.slice(0, match.index);
  for (const [pattern, qualifier, approximate] of QUALIFIERS) {
    if (pattern.test(before)) {
      fields.qualifier = qualifier;
      if (approximate) fields.approximate = true;
      break;
    }
  }
  return fields;
}

function toNumber(digits: string, groupSeparator: string | undefined): number {
  let text = digits.replace('\u2212', '-');
  if (groupSeparator) text = text.split(groupSeparator).join('');
  return Number(text.replace(',', '.'));
}

/** First values for `kind`'s fields from the selected text; the caller asks for what is still missing. */
export function prefill(kind: Kind, selected: string): KindFields {
  const text = selected.replace(/\s+/g, ' ').trim();
  switch (kind) {
    case 'claim':
      return {};
    case 'figure':
      return parseFigure(text) ?? {};
    case 'attribution': {
      const cue = ATTRIBUTION_CUES.exec(text);
      const source = (cue ? text.slice(0, cue.index) : text.replace(ACCORDING_TO, '')).trim();
      return { ...(source ? { source } : {}), ...(cue ? { cue: cue[1] } : ACCORDING_TO.test(text) ? { cue: 'according to' } : {}) };
    }
    case 'denial': {
      const cue = DENIAL_CUES.exec(text);
      const denier = cue ? text.slice(0, cue.index).trim() : '';
      return { ...(denier ? { denier } : {}), ...(cue ? { cue: cue[1] } : {}) };
    }
  }
}

/** The field a kind cannot be stored without, and how to ask for it. */
export const REQUIRED: Partial<Record<Kind, { field: 'source' | 'denier' | 'value'; question: string }>> = {
  attribution: { field: 'source', question: 'Who is the statement attributed to (the source)?' },
  denial: { field: 'denier', question: 'Who denies it (the denier)?' },
  figure: { field: 'value', question: 'What is the number (the value)?' },
};
