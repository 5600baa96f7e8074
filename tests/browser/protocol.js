// The Web Annotation Protocol suite's server assertions as a browser client meets them: XMLHttpRequest from
// another origin (CORS), reading headers with getResponseHeader as the suite's pages do. Defines
// window.factmarkProtocol.run({containerUrl, annotationUrl, key, articleUrl}) → [{assertion, passed, detail}].
// tests/test_browser_protocol.py judges the list; tests/test_w3c_protocol_suite.py holds the same assertions
// run from Python.
(() => {
  const CONTAINER_TYPE_LINK = /<http:\/\/www\.w3\.org\/ns\/(ldp#BasicContainer|oa#AnnotationCollection)>; *rel="type"/;
  const CONSTRAINED_BY = /<http:\/\/www\.w3\.org\/TR\/annotation-protocol\/>; *rel="http:\/\/www\.w3\.org\/ns\/ldp#constrainedBy"/;
  const RESOURCE_LINK = '<http://www.w3.org/ns/ldp#Resource>; rel="type"';
  const MINIMAL = 'return=representation;include="http://www.w3.org/ns/ldp#PreferMinimalContainer"';

  function send(method, url, key, headers = {}, body = undefined) {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader('Authorization', `Bearer ${key}`);
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
      xhr.onload = () => {
        let json = null;
        try {
          json = xhr.responseText ? JSON.parse(xhr.responseText) : null;
        } catch {
          json = null;
        }
        resolve({ status: xhr.status, header: (name) => xhr.getResponseHeader(name) ?? '', body: json });
      };
      xhr.onerror = () => resolve({ status: 0, header: () => '', body: null, failed: true });
      xhr.send(body === undefined ? null : JSON.stringify(body));
    });
  }

  async function run({ containerUrl, annotationUrl, key, articleUrl }) {
    const results = [];
    const check = (assertion, passed, detail = '') => results.push({ assertion, passed: Boolean(passed), detail });
    const get = (url, headers) => send('GET', url, key, headers);
    const pageIri = (first) => (typeof first === 'string' ? first : first?.id);

    check('Container MUST end in a "/" character', containerUrl.endsWith('/'));
    const container = await get(containerUrl);
    const c = container.body ?? {};
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      check(`Containers MUST support ${method} (check Allow on GET)`, container.header('Allow').includes(method), container.header('Allow'));
    }
    check('Containers MUST have a Content-Type header with the application/ld+json media type', /application\/ld\+json/.test(container.header('Content-Type')));
    check('Containers MUST return a description of the container with BasicContainer', (c.type ?? []).includes('BasicContainer'));
    check('Containers MUST return a description of the container with AnnotationCollection', (c.type ?? []).includes('AnnotationCollection'));
    check('Containers MUST return a Link header (rfc5988) on all responses', container.header('Link') !== '');
    check('Containers MUST have an ETag header', container.header('ETag') !== '');
    check('Containers MUST have a Vary header with Accept in the value', container.header('Vary').includes('Accept'), container.header('Vary'));
    check('Containers MUST advertise its type with a type link', CONTAINER_TYPE_LINK.test(container.header('Link')), container.header('Link'));
    check('Containers MUST advertise the protocol constraints with a constrainedBy link', CONSTRAINED_BY.test(container.header('Link')));
    const containerHead = await send('HEAD', containerUrl, key);
    check('Containers MUST support HEAD method', containerHead.status === 200, String(containerHead.status));
    const containerOptions = await send('OPTIONS', containerUrl, key);
    check('Containers MUST support OPTIONS method', containerOptions.status === 200, String(containerOptions.status));
    check('Containers MUST include a Content-Location header with the IRI as its value', container.header('Content-Location') !== '');
    check("Container's Content-Location and `id` MUST match", container.header('Content-Location') === c.id, `${container.header('Content-Location')} vs ${c.id}`);

    const first = await get(pageIri(c.first));
    check('Annotation Pages must have a link to the container they are part of, using the partOf property', (first.body?.partOf?.id ?? first.body?.partOf) === c.id);
    const last = await get(c.last);
    check('Annotation Pages MUST have a link to the previous page in the sequence, using the prev property (if not the first page)', 'prev' in (last.body ?? {}));
    check('Annotation Pages MUST have a link to the next page in the sequence, using the next property (if not the last page)', 'next' in (first.body ?? {}));

    const annotation = await get(annotationUrl);
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      check(`Annotations MUST support ${method} (check Allow on GET)`, annotation.header('Allow').includes(method), annotation.header('Allow'));
    }
    check('Annotations MUST have a Content-Type header with the application/ld+json media type', /application\/ld\+json/.test(annotation.header('Content-Type')));
    check('Annotations MUST have a Link header entry where the target IRI is http://www.w3.org/ns/ldp#Resource and the rel parameter value is type', annotation.header('Link') === RESOURCE_LINK, annotation.header('Link'));
    check('Annotations MUST have an ETag header', annotation.header('ETag') !== '');
    check('Annotations MUST have a Vary header with Accept in the value', annotation.header('Vary').includes('Accept'));
    check('Annotations MUST support HEAD method', (await send('HEAD', annotationUrl, key)).status === 200);
    check('Annotations MUST support OPTIONS method', (await send('OPTIONS', annotationUrl, key)).status === 200);

    // The suite's annotation, its target a passage of the article (a whole other page is refused: docs/w3c.md).
    const sent = {
      '@context': 'http://www.w3.org/ns/anno.jsonld',
      type: 'Annotation',
      body: { type: 'TextualBody', value: 'I like this page!' },
      target: { source: articleUrl, selector: { type: 'TextQuoteSelector', exact: 'has denied this' } },
      canonical: `urn:uuid:${crypto.randomUUID()}`,
    };
    const created = await send('POST', containerUrl, key, { 'Content-Type': 'application/ld+json' }, sent);
    const made = created.body ?? {};
    check('Created Annotation MUST have an id property', 'id' in made);
    check('Created Annotation MUST have an id that starts with the Container IRI', String(made.id).startsWith(containerUrl), made.id);
    check('Created Annotation MUST preserve any canonical IRI', made.canonical === sent.canonical);
    check('Annotation Server MUST respond with a 201 Created code if the creation is successful', created.status === 201, String(created.status));
    check('Location header SHOULD match the id of the new Annotation', created.header('Location') === made.id, created.header('Location'));

    const moved = { ...made, target: { source: articleUrl, selector: { type: 'TextQuoteSelector', exact: 'dismissed reports' } } };
    const blind = await send('PUT', made.id, key, { 'Content-Type': 'application/ld+json' }, moved);
    check('A PUT without If-Match is 428 Precondition Required', blind.status === 428, String(blind.status));
    const updated = await send('PUT', made.id, key, { 'Content-Type': 'application/ld+json', 'If-Match': created.header('ETag') }, moved);
    const quote = (updated.body?.target?.selector ?? []).find((s) => s.type === 'TextQuoteSelector');
    check('Annotation update must be done with the PUT method', updated.status === 200 && quote?.exact === 'dismissed reports', String(updated.status));
    const deleted = await send('DELETE', made.id, key);
    check('Annotation deletion with DELETE method MUST return a 204 status', deleted.status === 204, String(deleted.status));

    const preferred = await get(containerUrl, { Prefer: MINIMAL });
    const p = preferred.body ?? {};
    const minimalFirst = await get(p.first);
    check('SHOULD return the full annotation descriptions', (minimalFirst.body?.items ?? []).length > 0 && minimalFirst.body.items.every((item) => '@context' in item));
    check('SHOULD include the total property with the total number of annotations in the container', 'total' in p);
    check('SHOULD have a link to the first page of its contents using `first`', 'first' in p);
    check('SHOULD have a link to the last page of its contents using `last`', 'last' in p);
    check('Response contains annotations via `items` when it SHOULD NOT', !('items' in p));
    check('Response contains annotations via `ldp:contains` when it SHOULD NOT', !('ldp:contains' in p));
    check('SHOULD include Prefer in the Vary header', preferred.header('Vary').includes('Prefer'), preferred.header('Vary'));
    check('SHOULD NOT [receive] the Prefer header when requesting the page', preferred.header('Prefer') === '');
    check('Preference-Applied is readable by the page', preferred.header('Preference-Applied').includes('PreferMinimalContainer'));
    check('Accept-Post is readable by the page', container.header('Accept-Post').includes('application/ld+json'));
    return results;
  }

  window.factmarkProtocol = { run };
})();
