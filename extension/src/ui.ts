// The extension's own elements on the page: one host element with an open shadow root holding the card and the
// message toast, fixed-positioned, so the page's styles cannot reach them and they take no room in its layout (the
// page's text never moves). The shadow root also keeps their text out of the page text that anchoring reads.
import { cardLines, KIND_LABELS } from './card';
import type { PageAnnotation } from './model';

const STYLE = `
:host { all: initial; }
.card, .toast { position: fixed; z-index: 2147483647; box-sizing: border-box; font: 14px/1.4 system-ui, sans-serif;
  color: #1a1a1a; background: #fff; border: 1px solid #555; border-radius: 6px;
  box-shadow: 0 4px 16px rgb(0 0 0 / 0.25); }
.card { max-width: 360px; padding: 10px 12px; }
.card[hidden], .toast[hidden] { display: none; }
.kind { font-weight: 600; margin: 0 0 6px; display: flex; gap: 6px; align-items: center; }
.swatch { text-decoration-line: underline; text-decoration-thickness: 2px; text-underline-offset: 3px; }
dl { margin: 0; display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; }
dt { color: #555; }
dd { margin: 0; overflow-wrap: anywhere; }
a { color: #0050a0; }
.toast { right: 16px; bottom: 16px; max-width: 420px; padding: 10px 14px; }
.toast.error { border-color: #b00020; border-left: 6px solid #b00020; }
.toast.ok { border-left: 6px solid #009E73; }
`;
// The same colour and line as the kind's highlight (content.css), so the card's heading names the style.
const SWATCH: Record<string, [string, string]> = {
  claim: ['#0072B2', 'solid'],
  attribution: ['#009E73', 'dashed'],
  denial: ['#D55E00', 'wavy'],
  figure: ['#E69F00', 'double'],
};

export class Overlay {
  readonly card: HTMLElement;
  readonly toast: HTMLElement;
  private toastTimer: number | undefined;

  constructor() {
    const host = document.createElement('div');
    host.id = 'factmark-ui';
    host.style.cssText = 'position:absolute;top:0;left:0;width:0;height:0;overflow:visible;';
    const root = host.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = STYLE;
    this.card = document.createElement('div');
    this.card.className = 'card';
    this.card.setAttribute('role', 'tooltip');
    this.card.hidden = true;
    this.toast = document.createElement('div');
    this.toast.className = 'toast';
    this.toast.setAttribute('role', 'alert');
    this.toast.hidden = true;
    root.append(style, this.card, this.toast);
    document.body.append(host);
  }

  showCard(annotation: PageAnnotation, mark: Element, quoteOf: (id: string) => string | null): void {
    const heading = document.createElement('p');
    heading.className = 'kind';
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.textContent = '\u2003\u2003';
    [swatch.style.textDecorationColor, swatch.style.textDecorationStyle] = SWATCH[annotation.kind];
    heading.append(swatch, KIND_LABELS[annotation.kind]);
    const list = document.createElement('dl');
    for (const line of cardLines(annotation, quoteOf)) {
      const term = document.createElement('dt');
      term.textContent = line.label;
      const value = document.createElement('dd');
      if (line.href && /^https?:\/\//i.test(line.href)) {
        const link = document.createElement('a');
        link.href = line.href;
        link.target = '_blank';
        link.rel = 'noopener noreferrer';
        link.textContent = line.value;
        value.append(link);
      } else {
        value.textContent = line.value;
      }
      list.append(term, value);
    }
    this.card.replaceChildren(heading, list);
    this.card.dataset.annotationId = annotation.id;
    this.card.hidden = false;
    const box = mark.getClientRects()[0] ?? mark.getBoundingClientRect();
    const width = this.card.offsetWidth;
    const height = this.card.offsetHeight;
    const left = Math.max(8, Math.min(box.left, window.innerWidth - width - 8));
    const below = box.bottom + 6;
    const top = below + height > window.innerHeight - 8 ? Math.max(8, box.top - height - 6) : below;
    this.card.style.left = `${left}px`;
    this.card.style.top = `${top}px`;
  }

  hideCard(): void {
    this.card.hidden = true;
    delete this.card.dataset.annotationId;
  }

  say(message: string, kind: 'error' | 'ok'): void {
    this.toast.textContent = message;
    this.toast.className = `toast ${kind}`;
    this.toast.hidden = false;
    window.clearTimeout(this.toastTimer);
    this.toastTimer = window.setTimeout(() => (this.toast.hidden = true), kind === 'error' ? 15000 : 4000);
  }
}
