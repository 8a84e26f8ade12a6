// Events for browser mode: one WebSocket per page at /events (same Host/Origin and token or cookie
// checks as HTTP); every contract event is broadcast as { event, payload }.
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENT_NAMES } from '../contract.js';
import type { ServerContext } from './context.js';
import { sameToken } from './http.js';
import { cookieAuthorises, refuseOrigin, requestToken } from './routes.js';

/** Accepts sockets on `server` and forwards the service's events; returns the closer. */
export function serveEvents(server: Server, ctx: ServerContext): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const clients = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refused = refuseOrigin(req, ctx.port());
    // The token, or the page's cookie (a browser's socket always carries our Origin, checked above).
    const authorised = sameToken(requestToken(req, url), ctx.token) || cookieAuthorises(ctx, req, {});
    const ok = !refused && url.pathname === '/events' && authorised;
    if (!ok) {
      socket.write(`HTTP/1.1 ${refused ? '403 Forbidden' : '401 Unauthorized'}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => clients.delete(ws));
    });
  });
  const unsubscribers = EVENT_NAMES.map((event) =>
    ctx.service.on(event, (payload) => {
      const text = JSON.stringify({ event, payload });
      for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
    }),
  );
  return () => {
    for (const off of unsubscribers) off();
    for (const ws of clients) ws.terminate();
    wss.close();
  };
}
