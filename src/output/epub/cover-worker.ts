/** The worker thread that draws a generated cover (see `drawInWorker` in cover.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { type CoverText, drawCover } from './cover-draw.js';

parentPort?.postMessage(await drawCover(workerData as CoverText));
