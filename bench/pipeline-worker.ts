/**
 * Worker for bench/pipeline.ts's two-thread run: tokenizes the batches of
 * reviews it is sent (UTF-8 bytes, back to back, and where each one ends)
 * into ids of its own interner, and at the end sends back
 * the ids, the per-review lengths and its interner's keys so the main thread
 * can map them onto its own ids.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CorpusBuilder } from '../lib/data/corpus';

const builder = new CorpusBuilder(workerData.tokenizer as 'spacy' | 'basic_english');
parentPort!.on('message', (msg: { bytes?: Uint8Array; ends?: Int32Array; done?: boolean }) => {
  if (msg.bytes && msg.ends) {
    let start = 0;
    for (const end of msg.ends) {
      builder.addBytes(msg.bytes, start, end);
      start = end;
    }
  }
  if (msg.done) {
    const corpus = builder.finish();
    parentPort!.postMessage({ ids: corpus.ids, offsets: corpus.offsets, keys: corpus.interner.keys }, [corpus.ids.buffer as ArrayBuffer, corpus.offsets.buffer as ArrayBuffer]);
  }
});
