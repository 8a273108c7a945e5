// Node socket.io 4 + @socket.io/redis-adapter relay: bench/fanout.py's third target.
//
// It speaks bench/bare_relay.py's protocol exactly: a client connects to /chat with
// `auth: {user}` and joins `user:<id>`; `send {to, content, client_msg_id}` emits
// `message {content, client_msg_id, sent_at}` to the recipients' rooms and acks
// `{ok: true, message}`. No database, no sessions, no validation. Two of these on two
// ports with the same --channel share one Redis adapter channel, as the two Python relays
// share one AsyncRedisManager channel.
//
//   node bench/node/relay.js --port 9201 --redis redis://127.0.0.1:6379/0 --channel x
"use strict";

const http = require("node:http");
const { Server } = require("socket.io");
const { createAdapter } = require("@socket.io/redis-adapter");
const { createClient } = require("redis");

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) {
    if (fallback === undefined) throw new Error(`--${name} is required`);
    return fallback;
  }
  return process.argv[index + 1];
}

async function main() {
  const host = option("host", "127.0.0.1");
  const port = Number(option("port"));
  const redisUrl = option("redis", "redis://127.0.0.1:6379/0");
  const channel = option("channel");

  const pubClient = createClient({ url: redisUrl });
  const subClient = pubClient.duplicate();
  await Promise.all([pubClient.connect(), subClient.connect()]);

  const httpServer = http.createServer();
  const io = new Server(httpServer, {
    adapter: createAdapter(pubClient, subClient, { key: channel }),
    maxHttpBufferSize: 64 * 1024,
  });

  const chat = io.of("/chat");
  chat.use((socket, next) => {
    const auth = socket.handshake.auth;
    if (!auth || typeof auth.user !== "string" || !auth.user) {
      next(new Error("auth.user required"));
      return;
    }
    next();
  });
  chat.on("connection", (socket) => {
    socket.join(`user:${socket.handshake.auth.user}`);
    socket.on("send", (data, ack) => {
      const message = {
        content: data.content,
        client_msg_id: data.client_msg_id ?? null,
        sent_at: Date.now() / 1000,
      };
      chat.to(data.to.map((user) => `user:${user}`)).emit("message", message);
      if (typeof ack === "function") ack({ ok: true, message });
    });
  });

  httpServer.listen(port, host);
  const stop = () => {
    io.close();
    Promise.allSettled([pubClient.quit(), subClient.quit()]).then(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  // bench/fanout.py's idle scenario reads memory after a full collection (node is started
  // with --expose-gc): what the sockets hold, not garbage the next collection would free.
  process.on("SIGUSR2", () => {
    if (typeof global.gc === "function") global.gc();
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
