/**
 * Server-rendered HTML without a framework: a tagged template that escapes every
 * interpolated value unless it is already `Html` (built by this same template), so
 * nothing a user typed can become markup.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

type Part = Html | string | number | null | undefined | Html[];

function render(v: Part): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(render).join('');
  if (v instanceof Html) return v.text;
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Markup that is trusted by construction (the QR code's SVG from the qrcode package). */
export function trusted(markup: string): Html {
  return new Html(markup);
}

const STYLE = `
body { font: 16px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 760px; padding: 1rem; color: #1d2430; }
header { display: flex; justify-content: space-between; align-items: center; border-bottom: 1px solid #dde; margin-bottom: 1rem; }
h1 { font-size: 1.3rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; }
table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #eef; }
.band { border: 1px solid #dde; border-radius: 8px; padding: .8rem 1rem; margin: .8rem 0; }
.status-active { color: #0a7d32; } .status-revoked, .status-wiped { color: #b3261e; }
button { font: inherit; padding: .45rem .9rem; border-radius: 6px; border: 1px solid #889; background: #f4f5f8; cursor: pointer; }
button.danger { background: #b3261e; border-color: #b3261e; color: #fff; }
.error { background: #fdecea; border: 1px solid #f5c2c0; padding: .6rem .8rem; border-radius: 6px; }
.code { font: 700 2rem/1.2 ui-monospace, monospace; letter-spacing: .2em; }
.qr svg { width: 220px; height: 220px; }
code.device-id { font: .85rem ui-monospace, monospace; user-select: all; overflow-wrap: anywhere; }
.chart { margin: .5rem 0; } .chart svg { display: block; max-width: 100%; }
label { display: block; margin: .5rem 0; } input { font: inherit; padding: .35rem; }
`;

export function page(title: string, body: Html, nav?: Html): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · wristpay</title><style>${new Html(STYLE)}</style></head>
<body><header><h1>wristpay · ${title}</h1>${nav}</header>
<main>${body}</main></body></html>`.text;
}

export function when(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}
