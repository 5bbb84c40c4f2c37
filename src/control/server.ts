/**
 * The control panel's server: a page, a JSON API, a live preview and events, served by backscrub
 * itself on 127.0.0.1 (`--http`). Every request's `Host` must be an IP address or `localhost` with
 * the panel's port and its `Origin`, when sent, that same address (no other web page can drive or
 * watch the camera: cross-site requests, DNS rebinding); every API request carries the token
 * (`Authorization: Bearer TOKEN`, or the cookie the page gets from the printed address).
 *
 * The server only turns requests into calls of its {@linkcode ControlHooks} (the live settings
 * API of the pipeline) and of the {@linkcode BackgroundLibrary}; it never opens a path a client
 * sent.
 *
 * @module
 */

import { encodeBase64Url } from "./_base64.ts";
import {
  type ApiSettings,
  ApiSettingsError,
  changeFromApi,
  settingsToApi,
} from "./api_settings.ts";
import { BackgroundLibrary, LibraryError, MAX_UPLOAD_BYTES } from "./library.ts";
import { Preview, PREVIEW_VIEWS, type PreviewView } from "./preview.ts";
import type { Applied, Settings, SettingsChange } from "../pipeline/settings.ts";
import { SettingsError } from "../pipeline/settings.ts";

/** What the server asks of the running backscrub. */
export interface ControlHooks {
  /** The settings in force. */
  settings(): Readonly<Settings>;
  /**
   * Changes settings (the pipeline's `change`).
   *
   * @throws {SettingsError} when the change cannot be made (nothing changed)
   */
  change(change: SettingsChange): Promise<Applied>;
  /** The status object of `GET /api/status`. */
  status(): Record<string, unknown>;
  /**
   * Writes the settings file.
   *
   * @returns the file written and the keys written
   */
  save(settings: ApiSettings): Promise<{ path: string; saved: Record<string, unknown> }>;
  /** The model names a client may choose. */
  readonly models: readonly string[];
}

/** Where the server listens. */
export interface ListenAddress {
  hostname: string;
  port: number;
}

/** Options for {@linkcode ControlServer.start}. */
export interface ControlServerOptions {
  address: ListenAddress;
  hooks: ControlHooks;
  library: BackgroundLibrary;
  preview: Preview;
  /** The token (default: 32 random bytes, base64url). */
  token?: string;
}

const JSON_TYPE = "application/json; charset=utf-8";
/** The MJPEG stream's part boundary; each part starts with two hyphens and it (RFC 2046). */
const BOUNDARY = "frame";
const DELIMITER = "-".repeat(2) + BOUNDARY;
const MAX_JSON_BYTES = 64 * 1024;
const STATIC: Record<string, [string, string]> = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/panel.css": ["panel.css", "text/css; charset=utf-8"],
  "/panel.js": ["panel.js", "text/javascript; charset=utf-8"],
};
const COMMON_HEADERS: Record<string, string> = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-resource-policy": "same-origin",
};
const PAGE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; " +
  "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...COMMON_HEADERS, "content-type": JSON_TYPE, ...headers },
  });
}

function error(status: number, message: string): Response {
  return json({ error: message }, status);
}

/** Compares two strings in time independent of where they differ. */
function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}

/** `Host` values the panel answers: an IP address or `localhost`, with its port. */
function hostAllowed(host: string | null, port: number): boolean {
  if (host === null) return false;
  const m = /^(\[[0-9a-fA-F:.]+\]|[0-9.]+|localhost):(\d+)$/.exec(host);
  if (!m || Number(m[2]) !== port) return false;
  const name = m[1]!;
  // Four dotted numbers, an IPv6 literal, or localhost: never a DNS name (DNS rebinding).
  return name === "localhost" || name.startsWith("[") ||
    /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** The control panel's HTTP server. */
export class ControlServer {
  /** The panel's address, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  /** The API token. */
  readonly token: string;
  /** The port listened on. */
  readonly port: number;
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #hooks: ControlHooks;
  readonly #library: BackgroundLibrary;
  readonly #preview: Preview;
  readonly #cookie: string;
  readonly #events = new Set<ReadableStreamDefaultController<Uint8Array>>();
  readonly #abort = new AbortController();
  readonly #static = new Map<string, Uint8Array>();
  #ticker: ReturnType<typeof setInterval> | null = null;
  #closed = false;

  private constructor(
    server: Deno.HttpServer<Deno.NetAddr>,
    port: number,
    options: ControlServerOptions,
    token: string,
  ) {
    this.#server = server;
    this.port = port;
    this.token = token;
    this.#hooks = options.hooks;
    this.#library = options.library;
    this.#preview = options.preview;
    this.#cookie = `backscrub_${port}`;
    const h = options.address.hostname;
    const host = h.includes(":") ? `[${h}]` : h === "0.0.0.0" ? "127.0.0.1" : h;
    this.url = `http://${host}:${port}/`;
  }

  /**
   * Starts listening.
   *
   * @param options the address, the hooks, the library and the preview
   * @returns the running server
   * @throws {Deno.errors.AddrInUse} and the like, when the address cannot be listened on
   */
  static start(options: ControlServerOptions): Promise<ControlServer> {
    const token = options.token ?? encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
    let self: ControlServer | null = null;
    return new Promise((resolve, reject) => {
      try {
        const server = Deno.serve({
          hostname: options.address.hostname,
          port: options.address.port,
          onListen: () => {},
          onError: (e) => error(500, `Internal error: ${(e as Error).message.split("\n")[0]}`),
          handler: (request, info) => self!.#handle(request, info),
        });
        self = new ControlServer(server, server.addr.port, options, token);
        resolve(self);
      } catch (e) {
        reject(e);
      }
    });
  }

  /** Tells every events client the settings in force (call after any change, from anywhere). */
  settingsChanged(): void {
    this.#send("settings", this.#apiSettings());
  }

  /** Stops serving: streams end, the port is released. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    if (this.#ticker !== null) clearInterval(this.#ticker);
    for (const c of this.#events) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
    this.#events.clear();
    await this.#server.shutdown();
  }

  /** Closes the server ({@linkcode close}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #handle(request: Request, info: Deno.ServeHandlerInfo): Promise<Response> {
    // Ends with the request: when its answer is sent, or the client goes away (Deno's
    // `request.signal` is not used: it also aborts after a successful answer, with a warning).
    const done = new AbortController();
    info.completed.then(() => done.abort(), () => done.abort());
    const gone = AbortSignal.any([done.signal, this.#abort.signal]);
    const url = new URL(request.url);
    const host = request.headers.get("host");
    if (!hostAllowed(host, this.port)) {
      return error(403, "Forbidden: open the panel at the address backscrub printed");
    }
    const origin = request.headers.get("origin");
    if (
      (origin !== null && origin !== `http://${host}`) ||
      request.headers.get("sec-fetch-site") === "cross-site"
    ) {
      return error(403, "Forbidden: another web site may not drive the camera");
    }
    const page = STATIC[url.pathname];
    if (page !== undefined && request.method === "GET") {
      if (url.pathname === "/") return await this.#index(request, url);
      return await this.#file(page[0], page[1]);
    }
    if (!url.pathname.startsWith("/api/")) return error(404, "Not found");
    if (!this.#authorized(request)) {
      return error(401, "Unauthorized: send the token (Authorization: Bearer TOKEN)");
    }
    try {
      return await this.#api(request, url, gone);
    } catch (e) {
      if (e instanceof ApiSettingsError || e instanceof SettingsError) return error(400, e.message);
      if (e instanceof LibraryError) return error(e.status, e.message);
      throw e;
    }
  }

  #authorized(request: Request): boolean {
    const auth = request.headers.get("authorization");
    if (auth !== null) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      return m !== null && sameSecret(m[1]!, this.token);
    }
    const cookie = this.#cookieToken(request);
    return cookie !== null && sameSecret(cookie, this.token);
  }

  #cookieToken(request: Request): string | null {
    const header = request.headers.get("cookie") ?? "";
    for (const part of header.split(";")) {
      const [k, v] = part.trim().split("=", 2);
      if (k === this.#cookie && v !== undefined) return v;
    }
    return null;
  }

  async #index(request: Request, url: URL): Promise<Response> {
    const given = url.searchParams.get("token");
    if (given !== null) {
      if (!sameSecret(given, this.token)) {
        return new Response(UNAUTHORIZED_PAGE, {
          status: 401,
          headers: { ...COMMON_HEADERS, "content-type": "text/html; charset=utf-8" },
        });
      }
      // The token leaves the address bar: the page keeps it in a cookie of this port.
      return new Response(null, {
        status: 303,
        headers: {
          ...COMMON_HEADERS,
          location: "/",
          "set-cookie": `${this.#cookie}=${this.token}; HttpOnly; SameSite=Strict; Path=/`,
        },
      });
    }
    if (!this.#authorized(request)) {
      return new Response(UNAUTHORIZED_PAGE, {
        status: 401,
        headers: { ...COMMON_HEADERS, "content-type": "text/html; charset=utf-8" },
      });
    }
    return await this.#file("index.html", "text/html; charset=utf-8");
  }

  async #file(name: string, type: string): Promise<Response> {
    let body = this.#static.get(name);
    if (body === undefined) {
      body = await Deno.readFile(new URL(`./panel/${name}`, import.meta.url));
      this.#static.set(name, body);
    }
    return new Response(body as Uint8Array<ArrayBuffer>, {
      headers: { ...COMMON_HEADERS, "content-type": type, "content-security-policy": PAGE_POLICY },
    });
  }

  #apiSettings(): ApiSettings {
    const api = settingsToApi(this.#hooks.settings());
    // A background chosen from the list is in force as its file: show its name.
    api.background = this.#library.nameOf(api.background) ?? api.background;
    return api;
  }

  /** The status, its background named as the settings name it, and whether framing is on. */
  #status(): Record<string, unknown> {
    const settings = this.#apiSettings();
    return {
      ...this.#hooks.status(),
      background: settings.background,
      frame: settings.frame,
      "frame-zoom": settings["frame-zoom"],
    };
  }

  async #api(request: Request, url: URL, gone: AbortSignal): Promise<Response> {
    const route = `${request.method} ${url.pathname}`;
    switch (route) {
      case "GET /api/status":
        return json(this.#status());
      case "GET /api/settings":
        return json(this.#apiSettings());
      case "PATCH /api/settings":
        return await this.#patch(request);
      case "POST /api/settings/save":
        try {
          return json(await this.#hooks.save(this.#apiSettings()));
        } catch (e) {
          return error(500, (e as Error).message.split("\n")[0]!);
        }
      case "GET /api/backgrounds":
        return json({ backgrounds: this.#library.list(), models: this.#hooks.models });
      case "POST /api/backgrounds":
        return await this.#upload(request);
      case "GET /api/preview.jpg":
        return await this.#picture(url, gone);
      case "GET /api/preview.mjpeg":
        return this.#stream(url, gone);
      case "GET /api/events":
        return this.#subscribe(gone);
    }
    const thumb = /^\/api\/backgrounds\/([^/]+)\/thumbnail\.jpg$/.exec(url.pathname);
    if (thumb && request.method === "GET") {
      let name: string;
      try {
        name = decodeURIComponent(thumb[1]!);
      } catch {
        return error(404, "No such background");
      }
      const jpeg = await this.#library.thumbnail(name);
      return new Response(jpeg as Uint8Array<ArrayBuffer>, {
        headers: {
          ...COMMON_HEADERS,
          "content-type": "image/jpeg",
          "cache-control": "max-age=3600",
        },
      });
    }
    return error(404, `Not found: ${route} (see the README's API table)`);
  }

  async #patch(request: Request): Promise<Response> {
    const text = await readBody(request, MAX_JSON_BYTES);
    if (text === null) {
      return error(413, `The request is too large: at most ${MAX_JSON_BYTES} bytes`);
    }
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(text));
    } catch {
      return error(400, 'The body is not JSON: send an object, e.g. {"blur": 30}');
    }
    const library = this.#library;
    const change = changeFromApi(body, this.#hooks.settings(), {
      hasBackground: (name) => library.pathOf(name) !== null,
      models: this.#hooks.models,
    });
    // A name from the list is handed on as the library's own file.
    if (change.background !== undefined) {
      change.background = library.pathOf(change.background) ?? change.background;
    }
    await this.#hooks.change(change);
    this.settingsChanged();
    return json(this.#apiSettings());
  }

  async #upload(request: Request): Promise<Response> {
    const declared = Number(request.headers.get("content-length") ?? "0");
    if (declared > MAX_UPLOAD_BYTES) {
      await request.body?.cancel();
      return error(413, `The file is too large: at most ${MAX_UPLOAD_BYTES >> 20} MB`);
    }
    const bytes = await readBody(request, MAX_UPLOAD_BYTES);
    if (bytes === null) {
      return error(413, `The file is too large: at most ${MAX_UPLOAD_BYTES >> 20} MB`);
    }
    if (bytes.length === 0) return error(400, "The upload is empty: send the file's bytes");
    let label = request.headers.get("x-filename") ?? undefined;
    try {
      if (label !== undefined) label = decodeURIComponent(label);
    } catch {
      label = undefined;
    }
    const entry = await this.#library.upload(bytes, label);
    return json(entry, 201);
  }

  async #picture(url: URL, gone: AbortSignal): Promise<Response> {
    const view = previewView(url);
    if (view === null) return error(400, "Invalid view: use output, camera or mask");
    const jpeg = await this.#preview.next(view, 2000, gone);
    if (jpeg === null) {
      return error(503, "No picture yet: the camera has not sent a frame (is it paused?)");
    }
    return new Response(jpeg as Uint8Array<ArrayBuffer>, {
      headers: { ...COMMON_HEADERS, "content-type": "image/jpeg" },
    });
  }

  #stream(url: URL, gone: AbortSignal): Response {
    const view = previewView(url);
    if (view === null) return error(400, "Invalid view: use output, camera or mask");
    const fps = Math.min(15, Math.max(1, Number(url.searchParams.get("fps") ?? 10) || 10));
    const preview = this.#preview;
    const encoder = new TextEncoder();
    let unwatch: (() => void) | null = null;
    const body = new ReadableStream<Uint8Array>({
      start() {
        unwatch = preview.watch();
      },
      async pull(controller) {
        const t0 = performance.now();
        const jpeg = await preview.next(view, 2000, gone);
        if (gone.aborted) {
          controller.close();
          return;
        }
        if (jpeg !== null) {
          controller.enqueue(encoder.encode(
            `${DELIMITER}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`,
          ));
          controller.enqueue(jpeg);
          controller.enqueue(encoder.encode("\r\n"));
        }
        const wait = 1000 / fps - (performance.now() - t0);
        if (wait > 0) await sleep(wait, gone);
      },
      cancel() {
        unwatch?.();
      },
    });
    gone.addEventListener("abort", () => unwatch?.(), { once: true });
    return new Response(body, {
      headers: {
        ...COMMON_HEADERS,
        "content-type": `multipart/x-mixed-replace; boundary=${BOUNDARY}`,
      },
    });
  }

  #subscribe(gone: AbortSignal): Response {
    const events = this.#events;
    let self: ReadableStreamDefaultController<Uint8Array> | null = null;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        self = controller;
        events.add(controller);
        controller.enqueue(frameEvent("settings", this.#apiSettings()));
        controller.enqueue(frameEvent("status", this.#status()));
        this.#tick();
      },
      cancel: () => {
        if (self) events.delete(self);
        this.#tick();
      },
    });
    gone.addEventListener("abort", () => {
      if (self) events.delete(self);
      this.#tick();
    }, { once: true });
    return new Response(body, {
      headers: { ...COMMON_HEADERS, "content-type": "text/event-stream; charset=utf-8" },
    });
  }

  /** Runs the once-a-second status event only while someone listens. */
  #tick(): void {
    if (this.#events.size > 0 && this.#ticker === null) {
      this.#ticker = setInterval(() => this.#send("status", this.#status()), 1000);
    } else if (this.#events.size === 0 && this.#ticker !== null) {
      clearInterval(this.#ticker);
      this.#ticker = null;
    }
  }

  #send(event: string, data: unknown): void {
    if (this.#events.size === 0) return;
    const chunk = frameEvent(event, data);
    for (const c of [...this.#events]) {
      try {
        c.enqueue(chunk);
      } catch {
        this.#events.delete(c);
      }
    }
    this.#tick();
  }
}

function frameEvent(event: string, data: unknown): Uint8Array {
  return new TextEncoder().encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function previewView(url: URL): PreviewView | null {
  const view = url.searchParams.get("view") ?? "output";
  return (PREVIEW_VIEWS as readonly string[]).includes(view) ? view as PreviewView : null;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Reads a request body up to `limit` bytes; null when it is longer. */
async function readBody(request: Request, limit: number): Promise<Uint8Array | null> {
  if (request.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of request.body) {
    total += chunk.length;
    if (total > limit) return null;
    chunks.push(chunk);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const UNAUTHORIZED_PAGE = `<!doctype html><html lang="en"><meta charset="utf-8">
<title>backscrub</title><body style="font-family:system-ui,sans-serif;max-width:40em;margin:4em auto">
<h1>backscrub</h1><p>This address needs the token backscrub printed when it started
(the line <code>backscrub: panel http://127.0.0.1:PORT/?token=…</code>), or run
<code>backscrub ctl status</code> to see it again.</p></body></html>
`;

export { BackgroundLibrary, Preview };
