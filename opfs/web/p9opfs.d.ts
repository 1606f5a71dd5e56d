// Types of p9opfs.js: the OPFS 9P2000.L server for a page.

export interface StartOptions {
  /** The store's name: its files live in OPFS under p9opfs/<store>/. Default "default". */
  store?: string;
  /** Where worker.js is (default: beside p9opfs.js). */
  url?: string | URL;
}

/** Starts the server's dedicated worker and opens the store. Rejects with the
 * reason when the store cannot be served, e.g. "store in use by another context". */
export function startServer(options?: StartOptions): Promise<Server>;

export class Server {
  readonly store: string;
  /** What opening the store found (one line). */
  readonly report: string;
  /** Set once the server stopped serving: why. */
  readonly error?: string;
  /** Where the worker's log lines go (default console.log). */
  onlog: (text: string) => void;
  /** A new 9P connection, not yet versioned. */
  session(): Session;
  /** v86's `filesystem.handle9p`: one request frame in, its reply passed to `reply`. One connection. */
  handle9p: (reqbuf: Uint8Array, reply: (replybuf: Uint8Array) => void) => void;
  /** Serves one 9P connection over `ws`: one whole frame per binary message, both ways
   * (v86's `filesystem.proxy_url` protocol). */
  serveWebSocket(ws: WebSocket): Session;
  /** The same over a WebSocket the worker opens to `url` and serves itself (frames skip the page's thread). */
  serveWebSocketUrl(url: string | URL): void;
  /** Whole-file helpers through a 9P session of this server (attached as uid 0). */
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, bytes: Uint8Array): Promise<number>;
  list(path?: string): Promise<Array<{ name: string; type: number; qid: Qid }>>;
  /** A self-check of the wasm side's file calls on a scratch OPFS file outside the store:
   * `bytes` written and read back, truncate, flush. rc 0, or -errno (-28 ENOSPC past the quota). */
  checkFiles(bytes: number): Promise<{ rc: number; text: string }>;
  /** Runs a WASI preview1 program in the worker on this store: its preopen (fd 3,
   *  named `preopen`, default "/sandbox") is the store's directory `dir` (default
   *  "wasi"), made when absent and kept across page loads. `check` is the store's
   *  invariants after the run ("" when they hold). */
  runWasi(wasm: BufferSource, options?: { args?: string[]; env?: Record<string, string>; dir?: string; preopen?: string;
                                          /** through browser_wasi_shim's WASI class (served as shim/) with p9opfs-wasi.mjs's preopen */
                                          shim?: boolean }):
    Promise<{ status: number; stdout: string; stderr: string; check: string }>;
  /** Runs the benchmarks of opfs/bench/bench.js in the worker, on this store
   *  (it creates and removes its own files); one result per measurement. */
  bench(options?: { seqMiB?: number; rmwMiB?: number; files?: number; bigDir?: number; memGiB?: number }):
    Promise<Array<{ name: string; ms: number; MBps?: number; [k: string]: unknown }>>;
  /** Lets the store go: earlier requests answered, sessions ended, everything
   *  durable, files and lock released (before a reload or a hand-over to another
   *  tab); then the worker ends. */
  close(): Promise<void>;
  /** Stops the worker at once: what was not yet durable may be lost. */
  terminate(): void;
}

export class Session {
  /** The largest request the session accepts now (the negotiated msize). */
  readonly msize: number;
  /** One request frame -> its reply frame; requests are handled one at a time, in order.
   * With `mine` the frame's buffer is transferred to the worker instead of copied. */
  handle(frame: Uint8Array, mine?: boolean): Promise<Uint8Array>;
  /** Ends the connection: the server clunks every fid it holds. */
  close(): void;
}

export interface Qid {
  type: number;
  version: number;
  path: bigint;
}

/** The small 9P client the helpers use (client9p.js). */
export class Client9p {
  constructor(send: (frame: Uint8Array) => Promise<Uint8Array>);
  msize: number;
  version(msize?: number): Promise<number>;
  attach(fid: number, uname?: string, aname?: string, nUname?: number): Promise<Qid>;
  walk(fid: number, newfid: number, names: string[]): Promise<Qid[]>;
  lopen(fid: number, flags: number): Promise<{ qid: Qid; iounit: number }>;
  lcreate(fid: number, name: string, flags: number, mode?: number, gid?: number): Promise<{ qid: Qid; iounit: number }>;
  mkdir(dfid: number, name: string, mode?: number, gid?: number): Promise<Qid>;
  read(fid: number, offset: number | bigint, count: number): Promise<Uint8Array>;
  write(fid: number, offset: number | bigint, data: Uint8Array): Promise<number>;
  readdir(fid: number, offset: number | bigint, count: number): Promise<Array<{ qid: Qid; offset: bigint; type: number; name: string }>>;
  getattr(fid: number, mask?: bigint): Promise<{ valid: bigint; qid: Qid; mode: number; uid: number; gid: number; nlink: bigint; rdev: bigint; size: bigint }>;
  clunk(fid: number): Promise<void>;
}

/** An Rlerror, with its errno. */
export class Error9p extends Error {
  readonly errno: number;
}

/** store.js, loaded with importScripts in a dedicated worker of your own (after
 * p9opfs-wasm.js): the server in that worker's thread, no page API in between. */
export interface OpfsStore {
  readonly name: string;
  /** What opening the store found (one line), once open. */
  readonly report: string;
  /** Set when the store cannot be served (or was closed): why. */
  readonly failed: string | null;
  /** Resolves when the store is open; rejects with the reason it cannot be. */
  readonly ready: Promise<OpfsStore>;
  /** v86's `filesystem.handle9p`, one connection: the reply is given within the
   * call when the store is open and its pool has a data file, later otherwise. */
  handle9p: (reqbuf: Uint8Array, reply: (replybuf: Uint8Array) => void) => void;
  /** Durable, every session ended, files and lock released, after the requests given before. */
  close(): Promise<void>;
}
declare global {
  // eslint-disable-next-line no-var
  var P9OpfsStore: {
    start(name: string, options?: { log?: (text: string) => void; onready?: (report: string) => void;
                                    onfail?: (text: string) => void }): OpfsStore;
  };
}
