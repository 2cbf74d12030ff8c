// Plays origin endpoint URLs in headless Chromium with real players (hls.js, dash.js, Shaka),
// one after another in one browser, and prints one JSON line per play:
//   {"player":"hls","url":...,"ok":true,"played":5.2,"currentTime":31.4,"errors":[],...}
// A play is ok when the <video> has played minSeconds of media (currentTime advanced that far
// from where playback began: a live stream starts near its edge, so currentTime alone proves
// nothing) and decoded frames, with no fatal player error, before timeoutSeconds. Exit code 0 when
// every play is ok.
//
// Usage: node play.mjs '<json>'   where <json> is
//   {"plays": [{"player": "hls"|"dash"|"shaka", "url": "...", "screenshot": "/path.png",
//               "minSeconds": 20 (optional, overrides the default below),
//               "page": "http://..." (optional: play on this page, e.g. a site on S3 website
//                                     hosting, instead of the built-in one; the player's script is
//                                     added to it, as the site's own <script> tag would),
//               "video": "#player" (optional with "page": its <video>; default: one is added)}, ...],
//    "minSeconds": 5, "timeoutSeconds": 45,
//    "together": true (optional: every play at once, each on its own page; default: one after another)}
//
// PLAY_DEBUG=1 copies the page's console (with dash.js's and hls.js's debug logs) to stderr.
//
// The players' scripts come from this folder's node_modules (npm ci), served with the page by a
// small HTTP server on 127.0.0.1, so the page has a real origin and the manifests are fetched
// cross-origin from mediaemu (which answers with CORS headers, as MediaPackage's CDN setup would).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const spec = JSON.parse(process.argv[2] || '{}');
const minSeconds = spec.minSeconds ?? 5;
const timeoutSeconds = spec.timeoutSeconds ?? 45;

const libraries = {
  '/hls.js': 'node_modules/hls.js/dist/hls.min.js',
  '/dash.js': 'node_modules/dashjs/dist/modern/umd/dash.all.min.js',
  // dash.js's Smooth Streaming support is its own bundle (dashjs.MssHandler), used when loaded.
  '/dash.mss.js': 'node_modules/dashjs/dist/modern/umd/dash.mss.min.js',
  '/shaka.js': 'node_modules/shaka-player/dist/shaka-player.compiled.js',
};
// The built-in page, with only the scripts `player` needs (each page of a "together" run parses
// its own copy, so the others' megabytes are left out).
const scripts = { hls: ['/hls.js'], dash: ['/dash.js', '/dash.mss.js'], shaka: ['/shaka.js'] };
const page_html = (player) => `<!doctype html><html><head><meta charset="utf-8"><title>mediaemu playback</title>
${(scripts[player] || Object.values(scripts).flat()).map((src) => `<script src="${src}"></script>`).join('')}</head>
<body style="margin:0;background:#222"><video id="v" muted playsinline width="640" height="360"></video>
<pre id="status" style="color:#eee;font:12px monospace"></pre></body></html>`;

const server = http.createServer((req, res) => {
  if (req.url === '/favicon.ico') {
    res.writeHead(204);
    return res.end();
  }
  const page = new URL(req.url, 'http://127.0.0.1/');
  if (page.pathname === '/') {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    return res.end(page_html(page.searchParams.get('player')));
  }
  const file = libraries[req.url];
  if (!file) {
    res.writeHead(404);
    return res.end();
  }
  res.writeHead(200, { 'Content-Type': 'text/javascript' });
  fs.createReadStream(path.join(here, file)).pipe(res);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const pageUrl = `http://127.0.0.1:${server.address().port}/`;

// Opens another site's page for a play: the player's library is added to it and its <video> is
// `selector`'s, or one added with the id the built-in page uses.
async function openSite(page, play) {
  await page.goto(play.page);
  const library = { hls: '/hls.js', dash: '/dash.js', shaka: '/shaka.js' }[play.player];
  if (library) await page.addScriptTag({ path: path.join(here, libraries[library]) });
  await page.evaluate((selector) => {
    let video = selector && document.querySelector(selector);
    if (!video) document.body.appendChild((video = document.createElement('video')));
    video.id = 'v';
    video.muted = true;
  }, play.video || null);
}

// Starts a player on the page's <video>; fatal errors land in window.__errors.
// `clearKeyLicence`: a W3C ClearKey licence server URL (org.w3.clearkey EME) for encrypted DASH.
async function startPlayer(page, player, url, clearKeyLicence) {
  await page.evaluate(
    async ({ player, url, clearKeyLicence }) => {
      window.__errors = [];
      const video = document.getElementById('v');
      const fail = (what) => window.__errors.push(String(what).slice(0, 500));
      if (player === 'hls') {
        if (!window.Hls || !Hls.isSupported()) return fail('hls.js: MediaSource not supported');
        const hls = new Hls({ debug: !!window.__debug,  lowLatencyMode: false });
        hls.on(Hls.Events.ERROR, (_e, d) => d.fatal && fail(`hls.js fatal ${d.type}/${d.details}`));
        hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
        hls.loadSource(url);
        hls.attachMedia(video);
        window.__player = hls;
      } else if (player === 'dash') {
        const p = dashjs.MediaPlayer().create();
        if (window.__debug) p.updateSettings({ debug: { logLevel: dashjs.Debug.LOG_LEVEL_INFO } });
        p.on(dashjs.MediaPlayer.events.ERROR, (e) => fail(`dash.js error ${JSON.stringify(e.error || e)}`));
        if (clearKeyLicence) p.setProtectionData({ 'org.w3.clearkey': { serverURL: clearKeyLicence } });
        p.initialize(video, url, true);  // autoplay: dash.js starts playback itself (and its MPD refresh)
        window.__player = p;
      } else if (player === 'shaka') {
        shaka.polyfill.installAll();
        const p = new shaka.Player();
        await p.attach(video);
        p.addEventListener('error', (e) => fail(`shaka error ${e.detail && e.detail.code}`));
        if (clearKeyLicence) p.configure({ drm: { servers: { 'org.w3.clearkey': clearKeyLicence } } });
        window.__player = p;
        p.load(url).then(() => video.play()).catch((e) => fail(`shaka load ${e.code || e}`));
      } else {
        fail(`unknown player ${player}`);
      }
    },
    { player, url, clearKeyLicence: clearKeyLicence || null },
  );
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
         '--autoplay-policy=no-user-gesture-required'],
});
// One play on its own page: starts the player, waits until it has played enough (or failed or
// timed out), prints its JSON line; returns whether it was ok.
async function runPlay(play) {
  const page = await browser.newPage({ viewport: { width: 640, height: 400 } });
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text().slice(0, 300));
    if (process.env.PLAY_DEBUG) console.error(`[${play.player} ${m.type()}] ${m.text().slice(0, 400)}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${String(e).slice(0, 300)}`));
  if (play.page) await openSite(page, play);
  else await page.goto(`${pageUrl}?player=${play.player}`);
  if (process.env.PLAY_DEBUG) await page.evaluate(() => { window.__debug = true; });
  const started = Date.now();
  await startPlayer(page, play.player, play.url, play.clearKeyLicence);
  let state = { currentTime: 0, errors: [] };
  let startTime = null;  // currentTime when playback began
  let played = 0;
  const want = play.minSeconds ?? minSeconds;
  while (Date.now() - started < timeoutSeconds * 1000) {
    state = await page.evaluate(() => {
      const v = document.getElementById('v');
      const q = v.getVideoPlaybackQuality();
      const status = document.getElementById('status');
      if (status) status.textContent = `t=${v.currentTime.toFixed(2)} frames=${q.totalVideoFrames}`;
      return { currentTime: v.currentTime, readyState: v.readyState, paused: v.paused,
               width: v.videoWidth, height: v.videoHeight, decodedFrames: q.totalVideoFrames,
               droppedFrames: q.droppedVideoFrames, errors: window.__errors };
    });
    if (startTime === null && state.currentTime > 0 && !state.paused) startTime = state.currentTime;
    played = startTime === null ? 0 : state.currentTime - startTime;
    if (state.errors.length || (played > want && state.decodedFrames > 0)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const ok = state.errors.length === 0 && played > want && state.decodedFrames > 0;
  if (play.screenshot) await page.screenshot({ path: play.screenshot });
  console.log(JSON.stringify({ player: play.player, url: play.url, page: page.url(), ok, played, startTime, ...state,
                               seconds: (Date.now() - started) / 1000, consoleErrors,
                               screenshot: play.screenshot || null }));
  await page.evaluate(() => window.__player && window.__player.destroy && window.__player.destroy());
  await page.close();
  return ok;
}

let allOk = true;
try {
  if (spec.together) {
    // Every play at once, each on its own page: for suites with several live endpoints to show
    // playing at the same moment (each stream is small; the wait is the players' own start-up).
    for (const ok of await Promise.all((spec.plays || []).map(runPlay))) allOk &&= ok;
  } else {
    for (const play of spec.plays || []) allOk = (await runPlay(play)) && allOk;
  }
} finally {
  await browser.close();
  server.close();
}
process.exit(allOk ? 0 : 1);
