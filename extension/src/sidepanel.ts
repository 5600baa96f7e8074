// Side panel: what the extension found for the current tab (the article, how many of each kind are highlighted,
// whether live updates run), the annotations it could not anchor with their quotes, and buttons that mark the
// tab's selection. `sidepanel.html?tab=ID` follows one tab instead of the active one (a pop-up window, the tests).
import { type Kind, type KindFields, KINDS, type PageState, type Result, type TabRequest } from './model';
import { parseFigure } from './prefill';

const fixedTab = Number(new URLSearchParams(location.search).get('tab')) || null;
let tabId: number | null = fixedTab;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const LIVE: Record<PageState['live'], string> = {
  connected: 'Live: highlights follow the newsroom’s edits.',
  connecting: 'Live updates: connecting…',
  unavailable: 'Live updates: this service has no event stream; reload the page to see edits.',
  off: 'Live updates: off.',
};

async function currentTab(): Promise<number | null> {
  if (fixedTab) return fixedTab;
  const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
  return tab?.id ?? null;
}

function show(state: PageState | null): void {
  const page = $('page');
  if (!state) {
    page.textContent = 'Factmark does not run on this page.';
  } else if (state.error) {
    page.textContent = state.error;
    page.dataset.state = 'error';
  } else if (!state.article) {
    page.textContent = 'This page is not in Factmark.';
    page.dataset.state = '';
  } else {
    page.textContent = `${state.article.title ?? state.article.url}`;
    page.dataset.state = 'ok';
  }
  for (const kind of KINDS) $(`legend`).querySelector(`[data-count="${kind}"]`)!.textContent = String(state?.counts[kind] ?? 0);
  $('live').textContent = state?.article ? LIVE[state.live] : '';
  const list = $('orphans');
  list.replaceChildren(
    ...(state?.orphans ?? []).map((orphan) => {
      const item = document.createElement('li');
      item.dataset.annotationId = orphan.id;
      item.dataset.kind = orphan.kind;
      const kind = document.createElement('span');
      kind.className = `swatch ${orphan.kind}`;
      kind.textContent = orphan.kind;
      const quote = document.createElement('q');
      quote.textContent = orphan.quote;
      const reason = document.createElement('small');
      reason.textContent = orphan.reason;
      item.append(kind, ' ', quote, document.createElement('br'), reason);
      return item;
    }),
  );
  if (state && state.orphans.length === 0) {
    const none = document.createElement('li');
    none.className = 'none';
    none.textContent = 'None: every annotation is highlighted.';
    list.append(none);
  }
}

async function refresh(): Promise<void> {
  tabId = await currentTab();
  if (tabId === null) return show(null);
  const request: TabRequest = { type: 'state' };
  const state = (await chrome.tabs.sendMessage(tabId, request).catch(() => null)) as PageState | null;
  show(state);
}

function fieldsFor(kind: Kind): KindFields | Result<never> {
  const text = (id: string) => ($<HTMLInputElement>(id).value.trim() || undefined);
  switch (kind) {
    case 'attribution':
      return { source: text('source') };
    case 'denial':
      return { denier: text('denier') };
    case 'figure': {
      const typed = text('value');
      const value = typed === undefined ? undefined : parseFigure(typed)?.value;
      if (typed !== undefined && value === undefined) return { ok: false, error: `"${typed}" is not a number.` };
      return { value, unit: text('unit') };
    }
    default:
      return {};
  }
}

for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-mark]')) {
  button.addEventListener('click', async () => {
    const kind = button.dataset.mark as Kind;
    const result = $('result');
    const fields = fieldsFor(kind);
    if ('ok' in fields) {
      result.textContent = fields.error;
      result.dataset.state = 'error';
      return;
    }
    if (tabId === null) return;
    result.textContent = 'Marking…';
    result.dataset.state = 'busy';
    const request: TabRequest = { type: 'mark', kind, fields };
    const answer = (await chrome.tabs
      .sendMessage(tabId, request)
      .catch((error: unknown) => ({ ok: false, error: String(error) }))) as Result<{ id: string }>;
    result.textContent = answer.ok ? `Marked as ${kind}.` : answer.error;
    result.dataset.state = answer.ok ? 'ok' : 'error';
    if (answer.ok) result.dataset.annotationId = answer.id;
  });
}

chrome.runtime.onMessage.addListener((message: { type?: string; state?: PageState }, sender) => {
  if (message.type === 'page-state' && sender.tab?.id === tabId && message.state) show(message.state);
  return false;
});
chrome.tabs.onActivated.addListener(() => void refresh());
chrome.tabs.onUpdated.addListener((id, change) => {
  if (id === tabId && change.status === 'complete') void refresh();
});
void refresh();
