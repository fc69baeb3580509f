import { Html, html } from './html';

/** The page shell: no script, style or font from anywhere but this console. */
export function layout(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — Loopwright console</title>
<link rel="stylesheet" href="/console.css">
<script src="/console.js" defer></script>
</head>
<body>
<header class="top">
  <a class="brand" href="/">Loopwright console</a>
  <span class="live" id="live-status" role="status">live updates: connecting…</span>
  <label class="token">Token for actions <input type="password" id="token" autocomplete="off" placeholder="CONSOLE_TOKEN"></label>
</header>
<main>
<p id="flash" class="result" role="status"></p>
${body}
</main>
</body>
</html>
`.text;
}
