/**
 * The simulator's web page: each band as a person sees it (its display, worn and
 * charging state, the button, its cards) plus heap, link figures and a live log of radio
 * frames. Plain HTML/CSS/JS; live updates from /events (server-sent events); actions
 * POST to the control API with the run's token. Everything from the band is set with
 * textContent (firmware text is untrusted).
 */
import { UI_SCRIPT } from './ui-script.ts';

const STYLE = `
:root { --bg:#f3f1ec; --card:#fff; --ink:#1d232b; --mute:#6b7480; --line:#e3e0d8; --acc:#0a7d5a; --warn:#b5461f; --screen:#0d1512; --glow:#7cf5c4; }
* { box-sizing:border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif; background:var(--bg); color:var(--ink); }
header { display:flex; align-items:center; gap:12px; padding:14px 24px; background:#1d232b; color:#fff; }
header h1 { font-size:17px; margin:0; font-weight:600; letter-spacing:.2px; }
header .live { margin-left:auto; font-size:12px; opacity:.85; }
header .live::before { content:""; display:inline-block; width:8px; height:8px; border-radius:50%; background:#e0a030; margin-right:6px; }
header .live.on::before { background:#3ddc97; }
main { display:grid; grid-template-columns:repeat(auto-fill,minmax(min(520px,100%),1fr)); gap:20px; padding:20px 24px; }
.band { background:var(--card); border:1px solid var(--line); border-radius:14px; padding:18px; box-shadow:0 1px 2px rgba(0,0,0,.04); }
.band h2 { margin:0 0 2px; font-size:16px; }
.sub { color:var(--mute); font-size:12px; font-family:ui-monospace,monospace; overflow-wrap:anywhere; }
.top { display:flex; flex-wrap:wrap; justify-content:center; gap:22px; margin-top:14px; }
.watch { width:190px; flex:none; display:flex; flex-direction:column; align-items:center; }
.strap { width:92px; height:26px; background:#3a4450; border-radius:6px 6px 0 0; }
.strap.bottom { border-radius:0 0 6px 6px; }
.case { width:170px; padding:12px; border-radius:26px; background:linear-gradient(#2b333d,#161b21); box-shadow:inset 0 0 0 2px #444d58; position:relative; }
.screen { height:104px; border-radius:14px; background:var(--screen); color:var(--glow); font:13px/1.5 ui-monospace,"SF Mono",monospace; padding:9px 10px; white-space:pre; overflow:hidden; text-shadow:0 0 6px rgba(124,245,196,.45); }
.screen.off { color:#3c4a44; text-shadow:none; }
.hw-btn { position:absolute; right:-9px; top:46px; width:9px; height:30px; border-radius:0 4px 4px 0; background:#58626e; border:0; cursor:pointer; padding:0; }
.hw-btn:active { background:var(--acc); }
.side { flex:1 1 240px; min-width:0; }
.badges { display:flex; flex-wrap:wrap; gap:6px; margin-bottom:12px; }
.badge { font-size:12px; padding:2px 9px; border-radius:999px; background:#eef0f2; color:#3a4450; }
.badge.good { background:#dcf3e9; color:#0a6b4d; } .badge.warn { background:#fbe5dc; color:var(--warn); } .badge.info { background:#e2ecfb; color:#24539a; }
.controls { display:flex; flex-wrap:wrap; gap:8px; align-items:center; margin-bottom:12px; }
.switch { display:inline-flex; align-items:center; gap:7px; cursor:pointer; user-select:none; padding:5px 10px; border:1px solid var(--line); border-radius:8px; }
.switch input { width:30px; height:16px; appearance:none; background:#c9ced4; border-radius:999px; position:relative; cursor:pointer; transition:background .15s; margin:0; }
.switch input::after { content:""; position:absolute; top:2px; left:2px; width:12px; height:12px; border-radius:50%; background:#fff; transition:left .15s; }
.switch input:checked { background:var(--acc); } .switch input:checked::after { left:16px; }
button.act { font:inherit; padding:6px 12px; border-radius:8px; border:1px solid var(--line); background:#fff; cursor:pointer; }
button.act.primary { background:var(--acc); border-color:var(--acc); color:#fff; }
button.act:hover { filter:brightness(.97); }
dl { display:grid; grid-template-columns:auto 1fr; gap:2px 12px; margin:0; font-size:12.5px; }
dt { color:var(--mute); } dd { margin:0; font-family:ui-monospace,monospace; min-width:0; overflow-wrap:anywhere; }
h3 { font-size:12px; text-transform:uppercase; letter-spacing:.6px; color:var(--mute); margin:16px 0 6px; }
.cards { display:flex; flex-wrap:wrap; gap:8px; }
.cardchip { width:150px; border-radius:10px; padding:8px 10px; color:#fff; background:linear-gradient(135deg,#2f6f8f,#1e4259); font-size:12px; }
.cardchip.transit { background:linear-gradient(135deg,#8f5a2f,#59391e); }
.cardchip b { display:block; font-size:13px; margin-bottom:6px; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
.empty { color:var(--mute); font-size:12.5px; }
.frames { max-height:220px; overflow:auto; border:1px solid var(--line); border-radius:8px; font:12px/1.5 ui-monospace,monospace; }
.frames:empty::before { content:'No radio traffic yet'; display:block; padding:6px 8px; color:var(--mute); font-family:system-ui,sans-serif; }
.frames div { display:grid; grid-template-columns:92px 72px 48px 124px 1fr; gap:6px; padding:1px 8px; border-bottom:1px solid #f1efea; white-space:nowrap; }
.frames .in { color:#24539a; } .frames .out { color:#0a6b4d; } .frames .link { color:var(--mute); }
.frames span:last-child { overflow:hidden; text-overflow:ellipsis; color:#8a929c; }
/* A phone (390 px and up): a band's card takes the width, the watch sits above its controls,
   the radio log scrolls inside its own box. */
@media (max-width:600px) {
  header { padding:12px 14px; }
  main { padding:12px; gap:12px; }
  .band { padding:14px; }
  .top { gap:14px; }
}
.log { max-height:120px; overflow:auto; font:12px/1.45 ui-monospace,monospace; color:#4a525c; background:#faf9f6; border-radius:8px; padding:6px 8px; }
`;

/** The page, with the run's token in a meta tag for the script. */
export function renderPage(token: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="wristpay-token" content="${token.replace(/[^0-9a-f]/gi, '')}">
<title>wristpay band simulator</title><style>${STYLE}</style></head>
<body><header><h1>wristpay · band simulator</h1><span class="live" id="live">connecting…</span></header>
<main id="bands"></main>
<script>${UI_SCRIPT}</script></body></html>`;
}
