// Preloaded (node -r) into the server that bench/serve starts: the server's own event-loop delay, by
// perf_hooks.monitorEventLoopDelay at 1 ms resolution (as test/serve/predictor.test.ts measures it), reset
// and read by the parent over the IPC channel, so a row's figure covers that row's load alone. The server
// runs unchanged; without an IPC channel (node -r by hand) this file does nothing.
'use strict';
const { monitorEventLoopDelay } = require('perf_hooks');

if (typeof process.send === 'function') {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  process.on('message', (m) => {
    if (m === 'event-loop:reset') {
      h.reset();
      process.send({ eventLoop: 'reset' });
    } else if (m === 'event-loop:read') {
      process.send({ eventLoop: { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6, count: h.count } });
    }
  });
  process.channel.unref(); // the channel alone must not keep the server running after SIGTERM
}
