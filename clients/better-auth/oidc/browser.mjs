// A cookie-keeping "browser" for sign-in flows: it follows redirects by hand
// and fills in oidc-provider's development login and consent pages
// (devInteractions), so a test can go from "sign in with X" on the server
// under test, through the provider, and back to the server's callback.
//
//   const browser = new Browser({ login: "alice" });
//   const { url, status, response, body } = await browser.follow(signInUrl, { stopAt: `${server}/api/auth/callback/` });
//   // url: the callback URL with ?code=...&state=... (not requested), or the last page reached
//
// `new Browser({ login, deny: true })` cancels at the provider's first page
// instead, so the provider answers the redirect URI with error=access_denied.

const MAX_HOPS = 20;

/** `scheme://host:port` of a URL or origin string. */
function originOf(url) {
  return new URL(url).origin;
}

/** RFC 6265 5.1.4: does a request path fall under a cookie path? */
function pathMatches(requestPath, cookiePath) {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/";
}

/** RFC 6265 5.1.4: the default Path of a cookie set by a response to `requestPath`. */
function defaultPath(requestPath) {
  const slash = requestPath.lastIndexOf("/");
  return slash <= 0 ? "/" : requestPath.slice(0, slash);
}

/** Parses one Set-Cookie header into `{ name, value, path, expires }` (expires: ms epoch or null). */
function parseSetCookie(header, requestPath) {
  const [pair, ...attrs] = header.split(";");
  const eq = pair.indexOf("=");
  if (eq <= 0) return null;
  const cookie = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), path: null, expires: null };
  let maxAge = null;
  for (const attr of attrs) {
    const [rawKey, ...rest] = attr.split("=");
    const key = rawKey.trim().toLowerCase();
    const val = rest.join("=").trim();
    if (key === "path" && val.startsWith("/")) cookie.path = val;
    else if (key === "max-age" && /^-?\d+$/.test(val)) maxAge = Number(val);
    else if (key === "expires" && !Number.isNaN(Date.parse(val))) cookie.expires = Date.parse(val);
  }
  // Max-Age wins over Expires; zero or negative means "delete now".
  if (maxAge !== null) cookie.expires = Date.now() + maxAge * 1000;
  cookie.path ??= defaultPath(requestPath);
  return cookie;
}

/** Decodes the HTML character references a template engine puts into attribute values. */
function decodeEntities(text) {
  const named = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", "#39": "'" };
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, ref) => {
    if (ref[0] === "#") {
      const code = ref[1].toLowerCase() === "x" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return String.fromCodePoint(code);
    }
    return named[ref.toLowerCase()] ?? whole;
  });
}

/** The attributes of one start tag's inside, e.g. `type="hidden" name="prompt" required`. */
function attributes(source) {
  const attrs = {};
  for (const m of source.matchAll(/([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    attrs[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? "");
  }
  return attrs;
}

/** The forms of a page: `{ action, method, inputs: [{ name, type, value }] }` (enough for devInteractions). */
export function parseForms(html) {
  const forms = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attrs = attributes(m[1]);
    const inputs = [...m[2].matchAll(/<input\b([^>]*)>/gi)].map((i) => {
      const a = attributes(i[1]);
      return { name: a.name, type: (a.type ?? "text").toLowerCase(), value: a.value ?? "" };
    });
    forms.push({ action: attrs.action ?? "", method: (attrs.method ?? "get").toUpperCase(), inputs });
  }
  return forms;
}

/** The request submitting `form`; `valueOf(input)` gives each field's value (undefined: left out). */
function submission(form, pageUrl, valueOf) {
  const fields = new URLSearchParams();
  for (const input of form.inputs) {
    const value = input.name ? valueOf(input) : undefined;
    if (value !== undefined) fields.append(input.name, value);
  }
  const action = new URL(form.action || pageUrl, pageUrl);
  if (form.method === "POST") return { url: action.href, method: "POST", body: fields.toString() };
  action.search = fields.toString();
  return { url: action.href, method: "GET", body: undefined };
}

export class Browser {
  /**
   * @param {object} [options]
   * @param {string} [options.login]    what to type as login on the provider's login page
   * @param {string} [options.password] what to type as password (devInteractions accepts anything)
   * @param {boolean} [options.deny]    press the provider's Cancel instead of signing in / consenting
   */
  constructor({ login, password = "any-password", deny = false } = {}) {
    this.login = login;
    this.password = password;
    this.deny = deny;
    /** origin -> Map("name\0path" -> { name, value, path, expires }) */
    this.jar = new Map();
  }

  #cookiesOf(origin) {
    if (!this.jar.has(origin)) this.jar.set(origin, new Map());
    return this.jar.get(origin);
  }

  #store(url, response) {
    const { origin, pathname } = new URL(url);
    const cookies = this.#cookiesOf(origin);
    for (const header of response.headers.getSetCookie()) {
      const cookie = parseSetCookie(header, pathname);
      if (!cookie) continue;
      const key = `${cookie.name}\0${cookie.path}`;
      if (cookie.expires !== null && cookie.expires <= Date.now()) cookies.delete(key);
      else cookies.set(key, cookie);
    }
  }

  /** The Cookie header for a request to `url` (longer paths first, like browsers). */
  #cookieHeader(url) {
    const { origin, pathname } = new URL(url);
    const cookies = this.jar.get(origin);
    if (!cookies) return "";
    const now = Date.now();
    const sending = [];
    for (const [key, cookie] of cookies) {
      if (cookie.expires !== null && cookie.expires <= now) cookies.delete(key);
      else if (pathMatches(pathname, cookie.path)) sending.push(cookie);
    }
    sending.sort((a, b) => b.path.length - a.path.length);
    return sending.map((c) => `${c.name}=${c.value}`).join("; ");
  }

  /** The value of cookie `name` for `origin` (any path), or undefined. */
  cookie(origin, name) {
    for (const c of this.jar.get(originOf(origin))?.values() ?? []) {
      if (c.name === name && (c.expires === null || c.expires > Date.now())) return c.value;
    }
    return undefined;
  }

  /** Sets (or replaces) a cookie by hand, as if the origin had set it. */
  setCookie(origin, name, value, { path = "/" } = {}) {
    this.#cookiesOf(originOf(origin)).set(`${name}\0${path}`, { name, value, path, expires: null });
  }

  /** Forgets the cookies of one origin, or all of them. */
  clearCookies(origin) {
    if (origin === undefined) this.jar.clear();
    else this.jar.delete(originOf(origin));
  }

  /** Node's fetch with this browser's cookies sent and stored; never follows redirects itself. */
  async fetch(url, init = {}) {
    const headers = new Headers(init.headers);
    const cookie = this.#cookieHeader(url);
    if (cookie && !headers.has("cookie")) headers.set("cookie", cookie);
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    this.#store(url, response);
    return response;
  }

  /**
   * GETs `url` and keeps going like a browser: follows redirects, submits the
   * provider's login/consent pages (or cancels them when `deny`) and
   * auto-submitting pages (response_mode=form_post). Stops before requesting:
   *   - a non-http(s) URL (an app's custom scheme),
   *   - a URL whose origin+path starts with a `stopAt` prefix;
   * or at the first response that is neither a redirect nor such a page.
   * Returns `{ url, status, response, body, form, trail }`: for a stop, `url`
   * is the target not requested, `status`/`response` those of the response
   * that led there, and `form` the URLSearchParams it would have POSTed (for
   * form_post); otherwise the final page, its text in `body`. `trail` lists
   * each request made.
   */
  async follow(url, { stopAt = [] } = {}) {
    const prefixes = [stopAt].flat();
    const trail = [];
    let request = { url: new URL(url).href, method: "GET", body: undefined };

    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const init = { method: request.method };
      if (request.body !== undefined) {
        init.body = request.body;
        init.headers = { "content-type": "application/x-www-form-urlencoded" };
      }
      const response = await this.fetch(request.url, init);
      trail.push(`${request.method} ${request.url} -> ${response.status}`);

      let next;
      let body;
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        const target = new URL(location, request.url).href;
        // 307/308 repeat the request; the others turn into a GET.
        next = [307, 308].includes(response.status) ? { ...request, url: target } : { url: target, method: "GET", body: undefined };
      } else {
        body = await response.text();
        next = this.#pageAction(request.url, response, body);
        if (!next) return { url: request.url, status: response.status, response, body, form: undefined, trail };
      }

      const target = new URL(next.url);
      const stop =
        !["http:", "https:"].includes(target.protocol) ||
        prefixes.some((p) => `${target.origin}${target.pathname}`.startsWith(p));
      if (stop) {
        const form = next.body === undefined ? undefined : new URLSearchParams(next.body);
        return { url: next.url, status: response.status, response, body, form, trail };
      }
      request = next;
    }
    throw new Error(`more than ${MAX_HOPS} hops:\n  ${trail.join("\n  ")}`);
  }

  /** What a browser (and its user) would do next on this page, or null to stop here. */
  #pageAction(pageUrl, response, body) {
    if (!(response.headers.get("content-type") ?? "").includes("text/html")) return null;
    // response_mode=form_post: a page whose script submits its only form
    // (status 400 when it carries an error).
    if (body.includes("document.forms[0].submit()")) {
      const [form] = parseForms(body);
      if (form) return submission(form, pageUrl, (input) => (input.type === "hidden" ? input.value : undefined));
    }
    return response.status === 200 ? this.#interaction(pageUrl, body) : null;
  }

  /**
   * If this response is a devInteractions page (a form carrying a hidden
   * `prompt` of login or consent), the request that answers it: the form
   * posted with all its hidden inputs plus login/password, or, when denying,
   * a GET of the page's `/abort` (its "[ Cancel ]" link).
   */
  #interaction(pageUrl, body) {
    const form = parseForms(body).find((f) =>
      f.inputs.some((i) => i.type === "hidden" && i.name === "prompt" && ["login", "consent"].includes(i.value)),
    );
    if (!form) return null;

    if (this.deny) {
      const cancel = body.match(/<a\b[^>]*href="([^"]*\/abort)"/i);
      return { url: new URL(cancel ? decodeEntities(cancel[1]) : `${pageUrl}/abort`, pageUrl).href, method: "GET" };
    }

    return submission(form, pageUrl, (input) => {
      if (input.name === "login") {
        if (this.login === undefined) throw new Error(`the provider asks for a login at ${pageUrl} but this Browser has none`);
        return this.login;
      }
      if (input.type === "password") return this.password;
      return ["hidden", "text", "email"].includes(input.type) ? input.value : undefined;
    });
  }
}
