/** Markup that is already safe: built by `html` or trusted (an SVG drawn by the report library). */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export const raw = (text: string): Html => new Html(text);

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

type Slot = Html | string | number | boolean | null | undefined | readonly Slot[];

function render(slot: Slot): string {
  if (slot === null || slot === undefined || slot === false) return '';
  if (slot instanceof Html) return slot.text;
  if (Array.isArray(slot)) return slot.map(render).join('');
  return escapeHtml(slot);
}

/** A template whose interpolations are escaped unless they are Html (arrays are joined). */
export function html(strings: TemplateStringsArray, ...slots: Slot[]): Html {
  return raw(strings.reduce((out, s, i) => out + s + (i < slots.length ? render(slots[i]) : ''), ''));
}

export const percent = (share: number | null | undefined): string => (share === null || share === undefined ? '–' : `${(share * 100).toFixed(1)}%`);
export const usd = (value: number | null | undefined): string => (value === null || value === undefined ? '–' : `$${value.toFixed(4)}`);
