/**
 * The API token this browser uses when the api has authentication on (kept in localStorage, sent as a
 * bearer header and in the socket.io handshake). Empty when the api runs with SANDGLASS_AUTH=off.
 */
const STORAGE_KEY = 'sandglass.token';

export function apiToken(): string {
  return window.localStorage.getItem(STORAGE_KEY) ?? '';
}

export function setApiToken(token: string): void {
  if (token) window.localStorage.setItem(STORAGE_KEY, token.trim());
  else window.localStorage.removeItem(STORAGE_KEY);
}

/** Request headers with the bearer token when one is set. */
export function authHeaders(headers: Record<string, string>): Record<string, string> {
  const token = apiToken();
  return token ? { ...headers, authorization: `Bearer ${token}` } : headers;
}
