/** Config files for the benchmark's nginx backends, HAProxy, nginx stream and the engine's rules. */
export const BACKENDS = ["127.0.40.1", "127.0.40.2", "127.0.40.3"];
export const HTTP_PORT = 8080;
export const UDP_PORT = 5300;
export const MANY_BASE_PORT = 9000;
export const MANY = 100;
export const HAPROXY_VIP = "127.0.41.1";
export const NGINX_VIP = "127.0.42.1";
export const ENGINE_VIP = "127.0.43.1";
export const ENGINE_WLC100_VIP = "127.0.43.2";
export const ENGINE_PERSIST_VIP = "127.0.43.3";
/** the multi-core rows: HAProxy nbthread 2 and the engine with --workers 2 */
export const HAPROXY2_VIP = "127.0.41.2";
export const ENGINE2_VIP = "127.0.43.4";
/** the engine without its native relay (LVS_AGENT_TCP_RELAY=none): every byte through the JS relay */
export const ENGINE_JS_VIP = "127.0.43.5";
export const THREADS = 2;
const STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so";

export function backendConf(dir: string): string {
  const listens = [
    ...BACKENDS.map((a) => `listen ${a}:${HTTP_PORT} backlog=8192;`),
    ...Array.from({ length: MANY }, (_, i) => `listen ${BACKENDS[0]}:${MANY_BASE_PORT + i} backlog=1024;`),
  ];
  return `worker_processes 1;
worker_rlimit_nofile 19500;
pid ${dir}/backend.pid;
error_log ${dir}/backend-error.log error;
events { worker_connections 19000; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  client_body_temp_path ${dir}/tmp;
  server {
    ${listens.join("\n    ")}
    root ${dir}/www;
    location = /1k { default_type text/plain; return 200 "${"x".repeat(1023)}\n"; }
    location = /bulk { }
  }
}
`;
}

export function haproxyConf(dir: string, threads = 1, vip = HAPROXY_VIP, name = "haproxy"): string {
  return `global
  nbthread ${threads}
  maxconn 9000
  pidfile ${dir}/${name}.pid
defaults
  mode tcp
  timeout connect 5s
  timeout client 300s
  timeout server 300s
frontend f
  bind ${vip}:${HTTP_PORT}
  maxconn 9000
  default_backend b
backend b
  balance roundrobin
${BACKENDS.map((a, i) => `  server s${i + 1} ${a}:${HTTP_PORT}`).join("\n")}
`;
}

export function nginxStreamConf(dir: string): string {
  return `load_module ${STREAM_MODULE};
worker_processes 1;
worker_rlimit_nofile 19500;
pid ${dir}/stream.pid;
error_log ${dir}/stream-error.log error;
events { worker_connections 19000; }
stream {
  upstream t { ${BACKENDS.map((a) => `server ${a}:${HTTP_PORT};`).join(" ")} }
  server { listen ${NGINX_VIP}:${HTTP_PORT} backlog=8192; proxy_pass t; proxy_timeout 300s; }
  upstream u { ${BACKENDS.map((a) => `server ${a}:${UDP_PORT};`).join(" ")} }
  server { listen ${NGINX_VIP}:${UDP_PORT} udp; proxy_pass u; proxy_timeout 30s; }
}
`;
}

/** The same rr service over the 3 backends on its own VIP (the multi-core engine, the JS-relay engine). */
export function rrRules(vip: string): string {
  return [`-A -t ${vip}:${HTTP_PORT} -s rr`, ...BACKENDS.map((a) => `-a -t ${vip}:${HTTP_PORT} -r ${a}:${HTTP_PORT} -m -w 1`)].join("\n") + "\n";
}

/** The multi-core engine's rules. */
export function engine2Rules(): string {
  return rrRules(ENGINE2_VIP);
}

export function engineRules(): string {
  const lines = [`-A -t ${ENGINE_VIP}:${HTTP_PORT} -s rr`];
  for (const a of BACKENDS) lines.push(`-a -t ${ENGINE_VIP}:${HTTP_PORT} -r ${a}:${HTTP_PORT} -m -w 1`);
  lines.push(`-A -u ${ENGINE_VIP}:${UDP_PORT} -s rr`);
  for (const a of BACKENDS) lines.push(`-a -u ${ENGINE_VIP}:${UDP_PORT} -r ${a}:${UDP_PORT} -m -w 1`);
  for (const [vip, extra] of [[ENGINE_WLC100_VIP, ""], [ENGINE_PERSIST_VIP, " -p 360"]] as const) {
    lines.push(`-A -t ${vip}:${HTTP_PORT} -s wlc${extra}`);
    for (let i = 0; i < MANY; i++) lines.push(`-a -t ${vip}:${HTTP_PORT} -r ${BACKENDS[0]}:${MANY_BASE_PORT + i} -m -w ${1 + (i % 5)}`);
  }
  return lines.join("\n") + "\n";
}
