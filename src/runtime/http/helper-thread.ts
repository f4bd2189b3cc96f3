import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';

/** One thread's line to the HTTP helper: requests go out on `port`, replies wake it through `signal`. */
export interface HttpChannel {
  port: MessagePort;
  signal: SharedArrayBuffer;
  /** Set to 1 by the helper once it listens: a thread may wait for it without charging a call. */
  ready: SharedArrayBuffer;
}

const WORKER_URL = new URL('../worker-entry.js', import.meta.url);

/**
 * The thread that performs plugins' outbound requests for a whole runtime: plugin threads block
 * on their channel while it does the asynchronous I/O, many requests at once. Started with the
 * runtime (it takes a few hundred ms to start, which no call's deadline should pay); unref'd, so
 * it never keeps the process alive.
 */
export class HttpHelper {
  private worker: Worker | null = null;
  private ready = new SharedArrayBuffer(4);

  constructor(private readonly allowedInternalHosts: readonly string[]) {
    this.start();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    this.ready = new SharedArrayBuffer(4);
    const worker = new Worker(WORKER_URL, {
      workerData: { entry: 'http', allowedInternalHosts: [...this.allowedInternalHosts], ready: this.ready },
    });
    worker.unref();
    // A helper that died is started again for the channels opened after; older ones time out.
    const gone = () => {
      if (this.worker === worker) this.worker = null;
    };
    worker.on('error', gone);
    worker.on('exit', gone);
    this.worker = worker;
    return worker;
  }

  /** A new channel for one plugin thread (transfer `port` to it). */
  connect(): HttpChannel {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    this.start().postMessage({ port: port2, signal }, [port2]);
    return { port: port1, signal, ready: this.ready };
  }

  close(): Promise<number> | undefined {
    const worker = this.worker;
    this.worker = null;
    return worker?.terminate();
  }
}
