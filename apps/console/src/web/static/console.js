// The console's only script: sends actions with the token, and refreshes the live parts of the
// page when the projections move (server-sent events). No framework, nothing loaded from elsewhere.
(() => {
  const TOKEN_KEY = 'loopwright-console-token';
  const tokenInput = document.getElementById('token');
  const flash = document.getElementById('flash');
  const liveStatus = document.getElementById('live-status');
  tokenInput.value = sessionStorage.getItem(TOKEN_KEY) || '';
  tokenInput.addEventListener('input', () => sessionStorage.setItem(TOKEN_KEY, tokenInput.value.trim()));

  const say = (element, text, kind) => {
    if (!element) return;
    element.textContent = text;
    element.className = `result ${kind}`;
  };

  const describe = (answer) => {
    if (answer.runId) return `submitted run ${answer.runId} (seq ${answer.seq})${answer.duplicate ? ', already in the log' : ''}`;
    if (answer.resolution) return `review ${answer.reviewId} resolved: ${answer.resolution}`;
    if (answer.appended) return `rule ${answer.ruleId}: ${answer.appended.join(', ')}`;
    if (answer.ignored) return `rule ${answer.ruleId}: nothing to do (${answer.ignored})`;
    return 'done';
  };

  document.addEventListener('submit', async (event) => {
    const form = event.target.closest('form[data-action]');
    if (!form) return;
    event.preventDefault();
    const body = Object.fromEntries(new FormData(form, event.submitter));
    const out = form.querySelector('output.result');
    say(out, 'sending…', 'pending');
    const token = tokenInput.value.trim();
    try {
      const response = await fetch(form.dataset.action, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        say(out, answer.error || answer.message || `refused (HTTP ${response.status})`, 'error');
        return;
      }
      const text = describe(answer);
      say(out, text, 'ok');
      say(flash, text, 'ok');
      if (answer.runId) {
        const link = Object.assign(document.createElement('a'), { href: `/runs/${encodeURIComponent(answer.runId)}`, textContent: 'open its timeline' });
        out.append(' — ', link);
        flash.append(' — ', link.cloneNode(true));
        form.reset();
      }
      if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    } catch (error) {
      say(out, `the console did not answer (${error.message}): check it is running and try again`, 'error');
    }
  });

  // The live parts of the page are re-rendered by the server; a part someone is typing in is left alone.
  let shown = Number(document.getElementById('position')?.dataset.position || 0);
  const refresh = async () => {
    const response = await fetch(location.href, { headers: { Accept: 'text/html' } });
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
    for (const part of fresh.querySelectorAll('[data-live][id]')) {
      const current = document.getElementById(part.id);
      if (!current) continue;
      if (document.activeElement !== document.body && current.contains(document.activeElement)) continue;
      current.replaceWith(document.importNode(part, true));
    }
    document.body.dataset.position = String(shown);
  };

  const tokenQuery = new URLSearchParams(location.search).get('token');
  const events = new EventSource(`/api/events${tokenQuery ? `?token=${encodeURIComponent(tokenQuery)}` : ''}`);
  events.addEventListener('projections', (event) => {
    const { position } = JSON.parse(event.data);
    liveStatus.textContent = `live · projections at seq ${position}`;
    if (position === shown) return;
    shown = position;
    refresh().catch((error) => { liveStatus.textContent = `live updates: refresh failed (${error.message})`; });
  });
  events.addEventListener('error', () => { liveStatus.textContent = 'live updates: reconnecting…'; });
})();
