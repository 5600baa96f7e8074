// Options page: the service URL and API key, saved in chrome.storage.local; #status then says whether the service
// answered and the key works (the service worker calls the API).
import type { Checked, Request } from './model';
import { loadSettings, saveSettings } from './settings';

const form = document.getElementById('settings') as HTMLFormElement;
const url = document.getElementById('service-url') as HTMLInputElement;
const key = document.getElementById('api-key') as HTMLInputElement;
const status = document.getElementById('status') as HTMLElement;

function show(text: string, state: 'ok' | 'error' | 'busy'): void {
  status.textContent = text;
  status.dataset.state = state;
}

async function verify(): Promise<void> {
  show('Checking…', 'busy');
  const request: Request = { type: 'check', settings: { serviceUrl: url.value.trim(), apiKey: key.value.trim() } };
  const checked = (await chrome.runtime.sendMessage(request)) as Checked;
  if (checked.ok) show(checked.message, 'ok');
  else show(checked.error, 'error');
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void (async () => {
    await saveSettings({ serviceUrl: url.value.trim().replace(/\/+$/, ''), apiKey: key.value.trim() });
    await verify();
  })().catch((error: unknown) => show(`Could not save: ${String(error)}`, 'error'));
});

void loadSettings().then((settings) => {
  if (!settings) return;
  url.value = settings.serviceUrl;
  key.value = settings.apiKey;
  void verify();
});
