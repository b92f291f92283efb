// A trained bundle inside an existing Express app: the predictor runs the model in worker threads, so
// the app's event loop stays free; its errors carry the HTTP status to answer with.
//
//   npm install express        (Express is not a dependency of torch-sentiment)
//   npm run build:ts           (in this repository: `torch-sentiment/serve` is the package's own dist/)
//   node -r ./scripts/register-ts.js examples/express-service.ts --model-dir runs/fasttext/bundle [--port 3000]
//   curl -s localhost:3000/sentiment -H 'content-type: application/json' -d '{"text": "A wonderful film"}'
//
// Express is typed here by the few members this example uses (so the package's type check does not
// need @types/express); with @types/express installed, `import express from 'express'` works as well.
import { createPredictor, ServeError } from 'torch-sentiment/serve';

interface Request { body: unknown }
interface Response {
  headersSent: boolean;
  writableFinished: boolean;
  on(event: 'close', listener: () => void): void;
  status(code: number): Response;
  set(name: string, value: string): Response;
  json(body: unknown): void;
}
type Handler = (req: Request, res: Response, next: (err?: unknown) => void) => void;
interface App {
  use(handler: unknown): void;
  get(path: string, handler: Handler): void;
  post(path: string, handler: Handler): void;
  listen(port: number, host: string, callback: () => void): { close(callback: () => void): void };
}
type Express = (() => App) & { json(options: { limit: string }): unknown };

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const express = require('express') as Express;
  const predictor = await createPredictor(flag('model-dir', 'runs/fasttext/bundle'), { workers: 1, maxQueue: 256 });
  const app = express();
  app.use(express.json({ limit: '1mb' }));

  app.get('/healthz', (_req, res) => res.json({ status: 'ok', ...predictor.info }));

  app.post('/sentiment', (req, res, next) => {
    const body = req.body as { text?: unknown; texts?: unknown } | undefined;
    // A client that hangs up stops waiting in the queue.
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const answer = Array.isArray(body?.texts)
      ? predictor.predictBatch(body.texts as string[], { signal: abort.signal }).then((predictions) => ({ predictions }))
      : predictor.predict(body?.text as string, { signal: abort.signal });
    answer.then(
      (result) => res.json(result),
      (err: unknown) => {
        if (!(err instanceof ServeError)) return next(err);
        if (err.status === 503) res.set('Retry-After', '1');
        if (!res.headersSent) res.status(err.status).json({ code: err.code, message: err.message });
      },
    );
  });

  const port = Number(flag('port', '3000'));
  const server = app.listen(port, '127.0.0.1', () => console.log(`Express app with torch-sentiment on http://127.0.0.1:${port}`));
  process.once('SIGTERM', () => server.close(() => void predictor.close()));
  process.once('SIGINT', () => server.close(() => void predictor.close()));
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
