/**
 * TCP forwarding for one accepted client: connect to the scheduled real server, then copy both ways
 * with backpressure (pause on a full write buffer, resume on drain), counting every read as a packet.
 * Half-close is forwarded (allowHalfOpen). A failed connect is counted and the client is reset at once.
 * No allocation per chunk: the handlers are created once per connection and only add to plain numbers.
 */
import net from "node:net";
import type { ConnEntry } from "./connectionTable.ts";
import type { ForwarderHost } from "./host.ts";
import type { RuntimeService } from "./runtime.ts";
import { proxyV2Header } from "./proxyProtocol.ts";
import { attachRelay, createRelay } from "./relay.ts";

export function acceptTcp(host: ForwarderHost, svc: RuntimeService, client: net.Socket): void {
  const clientAddress = client.remoteAddress ?? "";
  const clientPort = client.remotePort ?? 0;
  const picked = host.pick(svc, clientAddress, clientPort);
  if (picked === null) {
    client.on("error", noop);
    client.resetAndDestroy();
    return;
  }
  const { dest, template } = picked;
  const countIn = {
    count: (n: number): void => {
      dest.inPkts++;
      dest.inBytes += n;
      entry.seen = true;
    },
  };
  const inbound = createRelay(() => client, () => backend, countIn);
  const outbound = createRelay(() => backend, () => client, {
    count: (n) => {
      dest.outPkts++;
      dest.outBytes += n;
      entry.seen = true;
    },
  });
  const backend: net.Socket = net.connect({
    host: dest.address,
    port: dest.connectPort,
    noDelay: true,
    allowHalfOpen: true,
    onread: outbound,
  });

  let clientClosed = false;
  let backendClosed = false;
  let connected = false;
  let failed = false;
  const entry: ConnEntry = {
    protocol: "tcp",
    svc,
    dest,
    template,
    clientAddress,
    clientPort,
    state: "SYN_RECV",
    active: false,
    since: host.now(),
    seen: false,
    abort: () => {
      client.destroy();
      backend.destroy();
    },
  };
  host.table.add(entry);

  const finish = (): void => {
    if (!(clientClosed && backendClosed)) return;
    entry.abort = noop; // a lingering entry must not keep the sockets alive
    inbound.release();
    outbound.release();
    host.table.linger(entry, connected && !failed, host.now());
  };
  const toInactive = (state: string): void => {
    if (entry.active) {
      entry.active = false;
      dest.activeConns--;
      dest.inactConns++;
    }
    entry.state = state;
  };

  client.on("error", () => {
    failed = true;
    backend.destroy();
  });
  client.on("close", () => {
    clientClosed = true;
    if (!connected) backend.destroy();
    finish();
  });
  backend.on("error", () => {
    failed = true;
    if (!connected) {
      dest.failures++;
      svc.failures++;
      client.resetAndDestroy();
    } else {
      client.destroy();
    }
  });
  backend.on("close", () => {
    backendClosed = true;
    finish();
  });

  backend.on("connect", () => {
    if (clientClosed) {
      backend.destroy();
      return;
    }
    connected = true;
    entry.state = "ESTABLISHED";
    if (template) template.assured = true;
    entry.active = true;
    dest.inactConns--;
    dest.activeConns++;
    if (svc.proxyProtocol) {
      const local = { address: client.localAddress ?? svc.key.address, port: client.localPort ?? svc.key.port };
      backend.write(proxyV2Header("tcp", svc.key.family, { address: clientAddress, port: clientPort }, local));
    }
    if (!attachRelay(client, inbound)) {
      // fallback without user buffers: 'data' events, same counting and backpressure
      client.on("data", (chunk: Buffer) => {
        countIn.count(chunk.length);
        if (!backend.write(chunk)) client.pause();
      });
      backend.on("drain", () => client.resume());
      client.resume();
    }
    client.on("end", () => {
      toInactive(entry.state === "CLOSE_WAIT" ? "LAST_ACK" : "FIN_WAIT");
      backend.end();
    });
    backend.on("end", () => {
      toInactive(entry.state === "FIN_WAIT" ? "LAST_ACK" : "CLOSE_WAIT");
      client.end();
    });
  });
}

function noop(): void {}
