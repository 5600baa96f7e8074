// Service worker: makes every API call (api.ts) for the content scripts, the options page and the side panel,
// offers the context menu "Factmark: mark as claim / attribution / denial / figure" on a selection, opens the side
// panel from the toolbar button, and relays live updates (live.ts) to the tabs.
import { check, create, lookup } from './api';
import { ensureLive, liveState, onLiveState, stopLive } from './live';
import { KINDS, type Kind, type Request, type TabRequest } from './model';
import { loadSettings } from './settings';

const MENU_PREFIX = 'factmark-mark-';
/** The article each tab shows (tab id → article id), so live events refresh only the tabs they concern; kept in
 * storage.session too, since the browser stops an idle worker and the alarm restarts it. */
const tabArticles = new Map<number, string>();
const restored = chrome.storage.session.get('tabArticles').then(({ tabArticles: saved }) => {
  for (const [tab, article] of Object.entries((saved ?? {}) as Record<string, string>)) {
    if (!tabArticles.has(Number(tab))) tabArticles.set(Number(tab), article);
  }
});

function rememberTab(tab: number, article: string | null): void {
  if (article === null) tabArticles.delete(tab);
  else tabArticles.set(tab, article);
  void chrome.storage.session.set({ tabArticles: Object.fromEntries(tabArticles) });
}

chrome.runtime.onInstalled.addListener(() => {
  chrome.contextMenus.removeAll(() => {
    for (const kind of KINDS) {
      chrome.contextMenus.create({ id: MENU_PREFIX + kind, title: `Factmark: mark as ${kind}`, contexts: ['selection'] });
    }
  });
  void chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: true });
  void chrome.alarms.create('factmark-live', { periodInMinutes: 0.5 });
});

/** The context menu's handler; also reachable as `self.factmarkMenuClicked` for the browser test, which cannot
 * click Chromium's native menu. */
async function menuClicked(info: { menuItemId: string | number }, tab?: { id?: number }): Promise<unknown> {
  const kind = String(info.menuItemId).slice(MENU_PREFIX.length) as Kind;
  if (!KINDS.includes(kind) || tab?.id === undefined) return null;
  const request: TabRequest = { type: 'mark', kind };
  return chrome.tabs.sendMessage(tab.id, request);
}
chrome.contextMenus.onClicked.addListener((info, tab) => void menuClicked(info, tab));
(self as unknown as { factmarkMenuClicked: typeof menuClicked }).factmarkMenuClicked = menuClicked;
/** What the worker knows, for debugging from its DevTools console (and the browser test's failure reports). */
(self as unknown as { factmarkState: () => object }).factmarkState = () => ({
  live: liveState(),
  tabs: Object.fromEntries(tabArticles),
});

const NOT_SET = 'Factmark is not set up: open the extension options and enter the service URL and an API key.';

chrome.runtime.onMessage.addListener((message: Request, sender, reply) => {
  void (async () => {
    switch (message.type) {
      case 'check': {
        // Saving the options starts afresh: the stream is probed again and every tab looks its page up again.
        stopLive();
        const checked = await check(message.settings);
        if (checked.ok) {
          for (const tab of await chrome.tabs.query({})) {
            if (tab.id !== undefined) chrome.tabs.sendMessage(tab.id, { type: 'refresh' }).catch(() => undefined);
          }
        }
        return reply(checked);
      }
      case 'live-state':
        return reply(liveState());
      case 'lookup': {
        const settings = await loadSettings();
        if (!settings) return reply({ ok: false, error: NOT_SET });
        const found = await lookup(settings, message.urls);
        const tab = sender.tab?.id;
        if (tab !== undefined) rememberTab(tab, found.ok && found.article ? found.article.id : null);
        if (found.ok && found.article) void ensureLive(settings, refreshTabs);
        return reply(found);
      }
      case 'create': {
        const settings = await loadSettings();
        if (!settings) return reply({ ok: false, error: NOT_SET });
        return reply(await create(settings, message.articleId, message.document));
      }
      default:
        return undefined;
    }
  })().catch((error: unknown) => reply({ ok: false, error: String(error) }));
  // Only this extension's requests are answered here; others (the side panel's page-state) are not ours.
  return ['check', 'live-state', 'lookup', 'create'].includes(message.type);
});

function refreshTabs(articleId: string | null): void {
  for (const [tab, shown] of tabArticles) {
    if (articleId === null || shown === articleId) {
      chrome.tabs.sendMessage(tab, { type: 'refresh', live: liveState() }).catch(() => rememberTab(tab, null));
    }
  }
}

onLiveState((state) => {
  for (const tab of tabArticles.keys()) {
    chrome.tabs.sendMessage(tab, { type: 'live', live: state }).catch(() => rememberTab(tab, null));
  }
});

chrome.tabs.onRemoved.addListener((tab) => rememberTab(tab, null));
// A page that changes its address without loading (history.pushState, as news sites' galleries and infinite
// scrolls do) may now be another article: its content script looks it up again.
chrome.tabs.onUpdated.addListener((tab, change) => {
  if (change.url) chrome.tabs.sendMessage(tab, { type: 'refresh' }).catch(() => undefined);
});

chrome.alarms.onAlarm.addListener(async (alarm) => {
  await restored;
  if (alarm.name !== 'factmark-live' || tabArticles.size === 0) return;
  const settings = await loadSettings();
  if (settings) await ensureLive(settings, refreshTabs);
});

