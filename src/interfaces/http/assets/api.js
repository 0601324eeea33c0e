// The dashboard's calls to the API. The session cookie goes along by itself; writes add the
// header the server requires of cookie-authenticated requests (CSRF protection).

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `Request failed (${status})`);
    this.status = status;
    this.code = body?.code;
    this.hint = body?.hint;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-Converge-Request'] = '1';
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401) {
    // The session ended (expired or revoked): the page itself shows the sign-in form.
    window.location.assign(window.location.pathname);
    throw new ApiError(401, { message: 'Signed out.' });
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** An EventSource that reports whether it is connected and reconnects after errors. */
export function liveStream(url, handlers, onState) {
  let source;
  let closed = false;
  let retry;
  const open = () => {
    source = new EventSource(typeof url === 'function' ? url() : url);
    source.addEventListener('open', () => onState?.(true));
    source.addEventListener('error', () => {
      onState?.(false);
      if (source.readyState === EventSource.CLOSED && !closed) {
        clearTimeout(retry);
        retry = setTimeout(open, 3000);
      }
    });
    for (const [event, handler] of Object.entries(handlers)) {
      source.addEventListener(event, (e) => handler(e.data ? JSON.parse(e.data) : null, e));
    }
  };
  open();
  return () => {
    closed = true;
    clearTimeout(retry);
    source?.close();
  };
}

/** Calls fn at most once per `ms`, with the latest arguments (bursts of events → one refetch). */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
