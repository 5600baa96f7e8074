// Live updates: when the service offers GET /v1/events/stream (server-sent events: `annotation.created`, `.updated`,
// `.deleted`), the service worker reads it with the generated client's SSE support (a fetch stream, so the API key
// goes in the Authorization header and no EventSource token is needed) and tells the tabs showing that article to
// refresh. A 404 means the service has no event stream: no live updates, everything else works. The worker may be
// stopped when idle; an alarm every 30 s restarts the stream, resuming after the last event id it saw.
import { clientFor } from './api';
import type { LiveState, Settings } from './model';
import { isObject } from './model';

const STREAM = '/v1/events/stream';
// Events that change what a page shows: its annotations, or its text (re-anchoring moves them).
const REFRESHING = /^(annotation\.(created|updated|deleted)|article\.(text_revised|deleted))$/;
let state: LiveState = 'off';
let stopper: AbortController | null = null;
let listeners: Array<(state: LiveState) => void> = [];

export function liveState(): LiveState {
  return state;
}

export function onLiveState(listener: (state: LiveState) => void): void {
  listeners.push(listener);
}

function setState(next: LiveState): void {
  if (next === state) return;
  state = next;
  for (const listener of listeners) listener(next);
}

// A service found without a stream is asked again after this long (it may have been upgraded), or when the
// options are saved.
const PROBE_AGAIN_MS = 10 * 60 * 1000;
let unavailableSince = 0;

/** Starts the stream unless it is running, or known to be missing on this service. */
export async function ensureLive(settings: Settings, onEvent: (articleId: string | null) => void): Promise<void> {
  if (state === 'connecting' || state === 'connected') return;
  if (state === 'unavailable' && Date.now() - unavailableSince < PROBE_AGAIN_MS) return;
  const mine = new AbortController();
  stopper = mine;
  setState('connecting');
  const { lastEventId } = await chrome.storage.session.get('lastEventId');
  const signal = mine.signal;
  // Only the current stream may change the state: one stopped by stopLive() ends after its successor started.
  const setMine = (next: LiveState) => {
    if (stopper === mine) setState(next);
  };
  const client = clientFor(settings);
  const { stream } = await client.sse.get({
    url: STREAM,
    headers: {
      Authorization: `Bearer ${settings.apiKey}`,
      Accept: 'text/event-stream',
      ...(typeof lastEventId === 'string' ? { 'Last-Event-ID': lastEventId } : {}),
    },
    signal,
    sseMaxRetryDelay: 30_000,
    onSseError: (error) => {
      const message = String(error);
      if (/\b(404|405|501)\b/.test(message)) {
        unavailableSince = Date.now();
        setMine('unavailable');
        mine.abort();
      } else if (/\b(401|403)\b/.test(message)) {
        setMine('off');
        mine.abort();
      } else {
        setMine('connecting');
      }
    },
    onSseEvent: (event) => {
      setMine('connected');
      if (event.id) void chrome.storage.session.set({ lastEventId: event.id });
      if (event.event && REFRESHING.test(event.event)) onEvent(articleOf(event.data));
    },
  });
  void (async () => {
    try {
      for await (const _ of stream) {
        // Events are handled in onSseEvent; the loop keeps the stream read.
      }
    } finally {
      if (liveState() !== 'unavailable') setMine('off');
    }
  })();
}

export function stopLive(): void {
  stopper?.abort();
  stopper = null;
  setState('off');
}

/** The article an event concerns, wherever the payload puts it; null when it does not say. */
function articleOf(data: unknown): string | null {
  if (!isObject(data)) return null;
  for (const holder of [data, data.data, data.annotation, data.payload]) {
    if (isObject(holder) && typeof holder.article_id === 'string') return holder.article_id;
  }
  return null;
}
