/**
 * The web UI's browser script (see ui-page.ts). Kept as a string; written without
 * template literals so it can sit inside one. Builds one card per band on the first
 * status event, then updates fields in place; the radio log keeps the last 150 frames.
 */
export const UI_SCRIPT = String.raw`
(function () {
  'use strict';
  var token = document.querySelector('meta[name="wristpay-token"]').content;
  var root = document.getElementById('bands');
  var live = document.getElementById('live');
  var views = {};

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'cls') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { e.appendChild(c); });
    return e;
  }
  function post(band, action, body) {
    return fetch('/api/bands/' + band + '/' + action, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
      body: JSON.stringify(body || {})
    }).then(function (r) { return r.json(); }).then(function (j) { if (j.ok && j.band) render(j.band); });
  }
  function kib(n) { return n == null ? '—' : (n / 1024).toFixed(1) + ' KiB'; }
  function time(ms) { var d = new Date(ms); return d.toTimeString().slice(0, 8) + '.' + String(d.getMilliseconds()).padStart(3, '0'); }
  function sw(id, label, onChange) {
    var input = el('input', { type: 'checkbox', id: id, 'data-testid': id });
    input.addEventListener('change', function () { onChange(input.checked); });
    return { input: input, node: el('label', { cls: 'switch', for: id }, [input, el('span', { text: label })]) };
  }

  function build(s) {
    var k = s.band, v = {};
    v.screen = el('div', { cls: 'screen', 'data-testid': 'display-' + k });
    var btn = el('button', { cls: 'hw-btn', title: 'the band button', 'aria-label': 'band button' });
    btn.addEventListener('click', function () { post(k, 'press'); });
    v.badges = el('div', { cls: 'badges' });
    v.wear = sw('wear-' + k, 'On wrist', function (on) { post(k, 'wear', { on: on }); });
    v.charge = sw('charge-' + k, 'On charger', function (on) { post(k, 'charge', { on: on }); });
    var press = el('button', { cls: 'act primary', 'data-testid': 'press-' + k, text: 'Press button' });
    press.addEventListener('click', function () { post(k, 'press'); });
    var reboot = el('button', { cls: 'act', 'data-testid': 'reboot-' + k, text: 'Reboot' });
    reboot.addEventListener('click', function () { post(k, 'reboot'); });
    v.facts = el('dl');
    v.cards = el('div', { cls: 'cards', 'data-testid': 'cards-' + k });
    v.frames = el('div', { cls: 'frames', 'data-testid': 'frames-' + k });
    v.log = el('div', { cls: 'log', 'data-testid': 'log-' + k });
    v.title = el('h2', { text: 'Band ' + k });
    v.sub = el('div', { cls: 'sub' });
    var card = el('section', { cls: 'band', 'data-testid': 'band-' + k }, [
      v.title, v.sub,
      el('div', { cls: 'top' }, [
        el('div', { cls: 'watch' }, [el('div', { cls: 'strap' }), el('div', { cls: 'case' }, [v.screen, btn]), el('div', { cls: 'strap bottom' })]),
        el('div', { cls: 'side' }, [v.badges, el('div', { cls: 'controls' }, [v.wear.node, v.charge.node, press, reboot]), v.facts])
      ]),
      el('h3', { text: 'Cards' }), v.cards,
      el('h3', { text: 'Radio frames' }), v.frames,
      el('h3', { text: 'Log' }), v.log
    ]);
    root.appendChild(card);
    views[k] = v;
    return v;
  }

  function badge(text, kind, testid) { return el('span', { cls: 'badge ' + (kind || ''), text: text, 'data-testid': testid || '' }); }

  function render(s) {
    var v = views[s.band] || build(s);
    v.sub.textContent = s.serial + ' · ' + s.address + ' · firmware ' + (s.firmware.version || s.firmware.format) + (s.firmware.signed ? '' : ' (unsigned)');
    v.screen.textContent = s.running ? s.display.join('\n') : (s.halted ? 'halted' : '');
    v.screen.className = 'screen' + (s.running ? '' : ' off');
    v.badges.replaceChildren(
      badge(s.state || (s.running ? 'running' : 'off'), s.state === 'worn-unlocked' ? 'good' : s.state === 'charging' ? 'info' : '', 'state-' + s.band),
      badge(s.worn ? 'worn' : 'off wrist', s.worn ? 'good' : '', 'worn-' + s.band),
      s.charging ? badge('charging', 'info') : badge('battery', ''),
      s.link.connected ? badge('connected', 'info') : badge('advertising', ''),
      s.halted ? badge('halted: ' + s.halted, 'warn') : badge(s.resets + ' resets', s.resets ? 'warn' : '')
    );
    if (document.activeElement !== v.wear.input) v.wear.input.checked = s.worn;
    if (document.activeElement !== v.charge.input) v.charge.input.checked = s.charging;
    var facts = [
      ['heap', kib(s.heap.used) + ' (peak ' + kib(s.heap.peak) + ', engine ' + kib(s.heap.baseline) + ')'],
      ['button', s.buttonPresses + (s.buttonPresses === 1 ? ' press' : ' presses'), 'presses'],
      ['link', 'mtu ' + s.link.mtu + ' · ci ' + s.link.ciMs + ' ms · loss ' + s.link.loss],
      ['in', s.link.up.bytes + ' B in ' + s.link.up.fragments + ' writes, ' + s.link.up.events + ' events'],
      ['out', s.link.down.bytes + ' B in ' + s.link.down.fragments + ' notifications, ' + s.link.down.events + ' events'],
      ['flash', s.flash.programs + ' programs, ' + s.flash.erases + ' erases'],
      ['enrolled', s.enrolled == null ? '—' : String(s.enrolled)]
    ];
    v.facts.replaceChildren.apply(v.facts, facts.reduce(function (a, f) { a.push(el('dt', { text: f[0] }), el('dd', { text: f[1], 'data-testid': (f[2] || f[0]) + '-' + s.band })); return a; }, []));
    if (!s.cards.length) v.cards.replaceChildren(el('span', { cls: 'empty', text: 'No cards yet' }));
    else v.cards.replaceChildren.apply(v.cards, s.cards.map(function (c) {
      var extra = c.kind === 'transit' ? (c.city || '') + (c.balance != null ? ' · ' + (c.balance / 100).toFixed(2) : '') : (c.isDefault ? 'default' : '');
      return el('div', { cls: 'cardchip ' + c.kind }, [el('b', { text: c.issuer }), el('span', { text: '•••• ' + c.last4 + (extra ? '  ' + extra : '') })]);
    }));
  }

  function addFrame(k, f) {
    var v = views[k]; if (!v) return;
    var arrow = f.dir === 'in' ? 'to band' : f.dir === 'out' ? 'from band' : 'link';
    var row = el('div', { cls: f.dir }, [el('span', { text: time(f.at) }), el('span', { text: arrow }), el('span', { text: f.dir === 'link' ? '' : f.size + ' B' }), el('span', { text: f.note }), el('span', { text: f.hex })]);
    var stick = v.frames.scrollTop + v.frames.clientHeight >= v.frames.scrollHeight - 4;
    v.frames.appendChild(row);
    while (v.frames.childNodes.length > 150) v.frames.removeChild(v.frames.firstChild);
    if (stick) v.frames.scrollTop = v.frames.scrollHeight;
  }
  function addLog(k, l) {
    var v = views[k]; if (!v) return;
    v.log.appendChild(el('div', { text: time(l.at) + ' ' + (l.source === 'sim' ? '[sim] ' : '') + l.text }));
    while (v.log.childNodes.length > 100) v.log.removeChild(v.log.firstChild);
    v.log.scrollTop = v.log.scrollHeight;
  }

  function connect() {
    var es = new EventSource('/events?token=' + encodeURIComponent(token));
    es.addEventListener('open', function () { live.textContent = 'live'; live.className = 'live on'; });
    es.addEventListener('error', function () { live.textContent = 'reconnecting…'; live.className = 'live'; });
    es.addEventListener('status', function (e) { JSON.parse(e.data).bands.forEach(render); });
    es.addEventListener('frame', function (e) { var d = JSON.parse(e.data); addFrame(d.band, d.frame); });
    es.addEventListener('log', function (e) { var d = JSON.parse(e.data); addLog(d.band, d.line); });
  }
  connect();
})();
`;
