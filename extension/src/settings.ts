// The service URL and API key, kept in chrome.storage.local (the key stays on this device: not storage.sync).
import type { Settings } from './model';

export async function loadSettings(): Promise<Settings | null> {
  const { serviceUrl, apiKey } = await chrome.storage.local.get(['serviceUrl', 'apiKey']);
  return typeof serviceUrl === 'string' && serviceUrl && typeof apiKey === 'string' && apiKey
    ? { serviceUrl, apiKey }
    : null;
}

export async function saveSettings(settings: Settings): Promise<void> {
  await chrome.storage.local.set(settings);
}
