// What a highlight's card says, per kind: the facts a reader wants on hover, as plain text lines (rendered with
// textContent, never as HTML: the fields are newsroom input).
import type { PageAnnotation } from './model';

export const KIND_LABELS = { claim: 'Claim', attribution: 'Attribution', denial: 'Denial', figure: 'Figure' } as const;

const VERDICTS: Record<string, string> = {
  unverified: 'Not yet checked',
  true: 'True',
  mostly_true: 'Mostly true',
  mixed: 'Mixed',
  mostly_false: 'Mostly false',
  false: 'False',
  misleading: 'Misleading',
  unproven: 'Unproven',
};
const SOURCE_TYPES: Record<string, string> = {
  person: 'person',
  organization: 'organisation',
  government: 'government',
  media: 'media',
  anonymous: 'anonymous source',
  document: 'document',
};

export interface CardLine {
  label: string;
  value: string;
  href?: string;
}

/** The card's lines; `quoteOf` gives the quote of a linked claim (by id) when it is on this page. */
export function cardLines(annotation: PageAnnotation, quoteOf: (id: string) => string | null): CardLine[] {
  const f = annotation.fields;
  const lines: CardLine[] = [];
  const add = (label: string, value: unknown, href?: string) => {
    if (value !== undefined && value !== null && value !== '') lines.push({ label, value: String(value), href });
  };
  switch (annotation.kind) {
    case 'claim':
      add('Verdict', VERDICTS[f.verdict ?? 'unverified'] ?? f.verdict);
      add('Why', f.verdict_explanation);
      if (f.statement && f.statement !== annotation.quote.exact) add('Statement', f.statement);
      add('Claimant', f.claimant);
      if (f.review_url) add('Review', 'Read the fact-check', f.review_url);
      break;
    case 'attribution':
      add('Source', f.source_type ? `${f.source} (${SOURCE_TYPES[f.source_type] ?? f.source_type})` : f.source);
      add('Cue', f.cue);
      if (f.claim_id) add('Attributes', quoted(quoteOf(f.claim_id)) ?? 'a claim not shown on this page');
      break;
    case 'denial':
      add('Denier', f.denier);
      add('Cue', f.cue);
      add('Denies', f.target_id ? (quoted(quoteOf(f.target_id)) ?? 'a claim not shown on this page') : 'no claim linked');
      break;
    case 'figure':
      add('Value', figureValue(f.value, f.unit));
      add('Qualifier', f.qualifier?.replace(/_/g, ' '));
      if (f.approximate && f.qualifier !== 'about') add('Approximate', 'yes');
      add('Of', f.subject);
      break;
  }
  if (annotation.review) {
    const earlier = quoted(annotation.review.previousQuote);
    add(
      'Awaiting review',
      `the ${annotation.kind === 'claim' ? 'verdict' : 'value'} was given for earlier words${earlier ? ` (${earlier})` : ''}`,
    );
  }
  add('Note', annotation.note);
  if (annotation.tags.length) add('Tags', annotation.tags.join(', '));
  if (f.origin === 'machine') {
    add('Suggested by', f.confidence == null ? 'software' : `software (confidence ${Math.round(f.confidence * 100)}%)`);
  }
  return lines;
}

function quoted(text: string | null): string | null {
  return text === null ? null : `“${text.length > 120 ? `${text.slice(0, 117)}…` : text}”`;
}

function figureValue(value: number | undefined, unit: string | null | undefined): string | null {
  if (value === undefined) return null;
  const number = new Intl.NumberFormat('en', { maximumFractionDigits: 6 }).format(value);
  if (!unit) return number;
  return unit === 'percent' ? `${number}%` : `${number} ${unit}`;
}
