// Drives a live Factmark through the generated TypeScript client the way a browser extension does: offsets in
// UTF-16 code units (`offset_unit=utf16`), computed with JavaScript string indices, on a text with flags, emoji and
// ZWJ sequences before and inside the spans; every span read back must satisfy text.slice(start, end) === quote.
//
// openapi/clients/generate.py copies this file beside the generated client (DIR/ts) and compiles both into
// DIR/ts-dist, so "./ts/index.js" resolves there, not here. Run:
//   FACTMARK_URL=http://127.0.0.1:8000 FACTMARK_KEY=fmk_... node build/clients/ts-dist/ts-smoke.js
// Exits 0 when every check passed, 1 (with the failed check on stderr) otherwise. It deletes what it created.
import { randomUUID } from "node:crypto";

import { createClient } from "./ts/client/index.js";
import {
  type Annotation,
  type AnnotationInput,
  createAnnotations,
  createArticle,
  deleteArticle,
  getAnnotation,
  getArticle,
  listAnnotations,
  type Problem,
  updateAnnotation,
} from "./ts/index.js";

const baseUrl = process.env.FACTMARK_URL ?? "http://127.0.0.1:8000";
const key = process.env.FACTMARK_KEY;
if (!key) {
  console.error("ts-smoke: set FACTMARK_KEY (and FACTMARK_URL)");
  process.exit(2);
}
const client = createClient({ baseUrl, auth: key });
const utf16 = { offset_unit: "utf16" } as const;

let checks = 0;
function check(condition: boolean, what: string, detail?: unknown): asserts condition {
  if (!condition) {
    throw new Error(`check failed: ${what}${detail === undefined ? "" : `\n${JSON.stringify(detail, null, 2)}`}`);
  }
  checks += 1;
}

function ok<T>(result: { data?: T; error?: unknown; response?: Response }, what: string, status: number): T {
  check(result.response?.status === status, `${what} answers ${status}`, {
    status: result.response?.status,
    error: result.error,
  });
  check(result.data !== undefined, `${what} has a body`);
  return result.data;
}

// Astral characters (2 UTF-16 units, 1 code point), flags (2 regional indicators = 4 units), a ZWJ family, a
// variation selector (BMP), mathematical bold letters — all before the spans, one inside the claim and one ending
// the denial.
const text =
  "🇱🇻🇪🇪 Baltic desk 👩‍👩‍👧 update: Officials in Riga 🏛️ said on Monday that about 4,500 tonnes of grain 🌾 had left " +
  "the port 🚢. The owner has denied this 🙅. 𝐑𝐞𝐚𝐝 𝐦𝐨𝐫𝐞 later.";

function span(quote: string): { start: number; end: number } {
  const start = text.indexOf(quote);
  check(start >= 0 && text.indexOf(quote, start + 1) < 0, `"${quote}" occurs once in the text`);
  return { start, end: start + quote.length };
}

function codepoints(utf16Offset: number): number {
  return Array.from(text.slice(0, utf16Offset)).length;
}

function checkSpans(annotations: ReadonlyArray<Annotation>, what: string): void {
  for (const annotation of annotations) {
    check(
      text.slice(annotation.start, annotation.end) === annotation.quote,
      `${what}: text.slice(start, end) === quote for the ${annotation.kind}`,
      { start: annotation.start, end: annotation.end, quote: annotation.quote },
    );
  }
}

const claimQuote = "about 4,500 tonnes of grain 🌾 had left the port 🚢";
const claimId = randomUUID();
const inputs: AnnotationInput[] = [
  // Offsets only: the service must read them as UTF-16 units.
  { kind: "claim", id: claimId, ...span(claimQuote), verdict: "mostly_true" },
  // Offsets and quote: the service checks the quote against UTF-16 offsets.
  {
    kind: "attribution",
    ...span("Officials in Riga 🏛️"),
    quote: "Officials in Riga 🏛️",
    source: "Officials in Riga",
    source_type: "government",
    cue: "said",
    claim_id: claimId,
  },
  { kind: "denial", ...span("has denied this 🙅"), denier: "The owner", cue: "denied", target_id: claimId },
  {
    kind: "figure",
    ...span("about 4,500 tonnes"),
    value: 4500,
    unit: "tonnes",
    approximate: true,
    qualifier: "about",
    subject: "grain",
  },
];

const url = `https://ts-smoke.example/${randomUUID()}`;
const created = ok(
  await createArticle({ client, query: utf16, body: { url, title: "Grain leaves Riga port", text, annotations: inputs } }),
  "createArticle",
  201,
);
const articleId = created.id;
try {
  check(created.text === text, "the stored text is exactly the sent text");
  check(created.annotations?.length === 4, "four annotations created", created.annotations);
  checkSpans(created.annotations ?? [], "createArticle");

  // Read back, in UTF-16 and in code points.
  const article = ok(
    await getArticle({ client, path: { article_id: articleId }, query: { ...utf16, include: "annotations" } }),
    "getArticle",
    200,
  );
  const annotations = article.annotations ?? [];
  checkSpans(annotations, "getArticle");
  const byKind = new Map(annotations.map((annotation) => [annotation.kind, annotation]));
  const claim = byKind.get("claim");
  check(claim?.kind === "claim" && claim.quote === claimQuote, "the claim's quote", claim);
  check(claim.verdict === "mostly_true" && claim.id === claimId, "the claim's verdict and id", claim);
  check(claim.start === text.indexOf(claimQuote), "the claim's start is the JavaScript index", claim);
  const figure = byKind.get("figure");
  check(figure?.kind === "figure" && figure.value === 4500 && figure.qualifier === "about", "the figure", figure);
  const attribution = byKind.get("attribution");
  check(attribution?.kind === "attribution" && attribution.claim_id === claimId, "the attribution", attribution);
  const denial = byKind.get("denial");
  check(denial?.kind === "denial" && denial.target_id === claimId, "the denial", denial);

  const inCodepoints = ok(
    await listAnnotations({ client, path: { article_id: articleId } }),
    "listAnnotations (code points)",
    200,
  );
  for (const annotation of inCodepoints.items) {
    const same = annotations.find((other) => other.id === annotation.id);
    check(same !== undefined, "the same annotations in either unit");
    check(
      annotation.start === codepoints(same.start) && annotation.end === codepoints(same.end),
      `code point offsets of the ${annotation.kind} are Array.from() lengths of the UTF-16 prefix`,
      { codepoint: [annotation.start, annotation.end], utf16: [same.start, same.end] },
    );
    check(annotation.start < same.start, "astral characters before the span make the two units differ");
  }

  // A batch through createAnnotations: one by quote alone (the service finds it and answers UTF-16 offsets).
  const batch = ok(
    await createAnnotations({
      client,
      path: { article_id: articleId },
      query: utf16,
      body: [
        { kind: "figure", quote: "4,500 tonnes", value: 4500, unit: "tonnes" },
        { kind: "claim", ...span("The owner has denied this 🙅"), statement: "The owner denies it" },
      ],
    }),
    "createAnnotations",
    201,
  );
  check("items" in batch && batch.items.length === 2, "a batch answers an AnnotationBatch of two", batch);
  checkSpans(batch.items, "createAnnotations");
  const found = batch.items[0];
  check(found.start === text.indexOf("4,500 tonnes"), "a quote-only span gets the JavaScript index", found);

  // PATCH with If-Match: move the new figure by UTF-16 offsets; a stale ETag is refused with a problem.
  const read = await getAnnotation({ client, path: { annotation_id: found.id }, query: utf16 });
  const etag = read.response.headers.get("ETag");
  check(read.response.status === 200 && etag !== null, "getAnnotation answers an ETag");
  const moved = await updateAnnotation({
    client,
    path: { annotation_id: found.id },
    query: utf16,
    headers: { "If-Match": etag },
    body: span("4,500 tonnes of grain 🌾"),
  });
  const patched = ok(moved, "updateAnnotation", 200);
  check(patched.quote === "4,500 tonnes of grain 🌾", "the patched quote", patched);
  checkSpans([patched], "updateAnnotation");
  check(moved.response.headers.get("ETag") !== etag, "a new ETag after the change");
  const stale = await updateAnnotation({
    client,
    path: { annotation_id: found.id },
    query: utf16,
    headers: { "If-Match": etag },
    body: { note: "lost update" },
  });
  check(stale.response.status === 412, "a stale If-Match answers 412", stale.error);
  const problem: Problem | undefined = stale.error;
  check(problem?.status === 412, "the 412 is a problem document", problem);

  // An offset between the two halves of a surrogate pair is refused, naming the field.
  const flagAt = text.indexOf("🌾");
  const split = await createAnnotations({
    client,
    path: { article_id: articleId },
    query: utf16,
    body: { kind: "figure", start: flagAt + 1, end: flagAt + 10, value: 1 },
  });
  check(split.response.status === 422, "an offset inside a surrogate pair answers 422", split.error);
  check(split.error?.errors?.[0]?.pointer === "/start", "the problem names /start", split.error);

  const figures = ok(
    await listAnnotations({ client, path: { article_id: articleId }, query: { ...utf16, kind: ["figure"] } }),
    "listAnnotations (figures, UTF-16)",
    200,
  );
  check(figures.items.length === 2 && figures.items.every((a) => a.kind === "figure"), "two figures", figures);
  checkSpans(figures.items, "listAnnotations");
} finally {
  await deleteArticle({ client, path: { article_id: articleId } });
}
console.log(`ts-smoke: ${checks} checks passed against ${baseUrl}`);
