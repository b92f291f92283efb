// The demo page: predicts as the user types (debounced), shows the label, the probability of the
// second label as a bar, and for FastText models each word's push towards one label or the other.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const text = $('text');
  let labels = ['negative', 'positive'];
  let explains = false;
  let timer = null;
  let inflight = null;

  fetch('healthz').then((r) => r.json()).then((h) => {
    if (h.status !== 'ok') {
      $('model').textContent = `Model ${h.status}` + (h.message ? `: ${h.message}` : '');
      return;
    }
    labels = h.labels;
    explains = h.explains;
    $('model').textContent = `Model: ${h.model} (labels ${labels.join(' / ')})`;
    $('left').textContent = labels[0];
    $('right').textContent = labels[1];
    $('legend').textContent = explains ? `Word colours: towards ${labels[1]} (green) or ${labels[0]} (red).` : 'Per-word contributions are shown for FastText models only.';
    if (text.value.trim()) predict();
  }, () => { $('model').textContent = 'The server is not answering.'; });

  function render(p) {
    $('label').textContent = p.label;
    $('probability').textContent = (p.probability * 100).toFixed(1) + '%';
    $('fill').style.width = (p.probability * 100).toFixed(1) + '%';
    $('fill').style.background = p.probability >= 0.5 ? '#2e7d32' : '#c62828';
    const words = $('words');
    words.textContent = '';
    if (!p.contributions) return;
    const max = Math.max(1e-6, ...p.contributions.map((c) => Math.abs(c.weight)));
    for (const c of p.contributions) {
      const span = document.createElement('span');
      span.textContent = c.token;
      const a = Math.abs(c.weight) / max;
      span.style.background = c.weight >= 0 ? `rgba(46,125,50,${a * 0.6})` : `rgba(198,40,40,${a * 0.6})`;
      span.title = c.weight.toFixed(4);
      words.append(span, ' ');
    }
  }

  function predict() {
    const value = text.value;
    if (inflight) inflight.abort();
    $('error').textContent = '';
    if (!value.trim()) {
      $('label').textContent = '–';
      $('probability').textContent = '';
      $('fill').style.width = '50%';
      $('words').textContent = '';
      return;
    }
    inflight = new AbortController();
    fetch('v1/predict', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: value, explain: explains }),
      signal: inflight.signal,
    }).then(async (r) => {
      const body = await r.json();
      if (!r.ok) throw new Error(body.message || r.statusText);
      render(body);
    }).catch((e) => {
      if (e.name !== 'AbortError') $('error').textContent = e.message;
    });
  }

  text.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(predict, 200);
  });
})();
