import http from 'node:http';
import https from 'node:https';

/**
 * Keep-alive agents of the guarded transport. Requests connect to a validated IP literal (never a
 * name), so the pool key is `ip:port[:servername]`: a pooled socket is only reused for the very
 * address that was validated for the request reusing it.
 */
export const guardedHttpAgent = new http.Agent({ keepAlive: true, maxSockets: 64, scheduling: 'lifo' });

/** TLS counterpart of `guardedHttpAgent`; certificate checks use the URL's host name via `servername`. */
export const guardedHttpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64, scheduling: 'lifo' });
