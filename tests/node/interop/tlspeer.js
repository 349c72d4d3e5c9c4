// TLS interop peer for the Go tests, with Node's tls. Arguments: role, port (0 for a server),
// a directory holding cert.pem, key.pem and ca.pem, and the TLS version ("TLSv1.2",
// "TLSv1.3"). As "server" it listens on 127.0.0.1:0 and prints its port; as "client" it
// connects to the port. Either way it runs exchange.js (10 MiB each way, half-close) once
// the handshake is done. As "verify" it connects, and prints what the handshake gave: the
// error code, or authorized.
const tls = require('tls');
const fs = require('fs');
const path = require('path');
const exchange = require('./exchange');
const [role, port, dir, version] = process.argv.slice(2);
const file = (name) => fs.readFileSync(path.join(dir, name));

const versions = { minVersion: version, maxVersion: version };
if (role === 'server') {
  const server = tls.createServer({ key: file('key.pem'), cert: file('cert.pem'), allowHalfOpen: true, ...versions },
    (s) => { exchange(s); server.close(); });
  server.on('tlsClientError', (err) => { console.error('tlsClientError', err.code); process.exitCode = 1; });
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
} else if (role === 'client') {
  const c = tls.connect({ port: Number(port), host: '127.0.0.1', ca: file('ca.pem'), allowHalfOpen: true, ...versions });
  c.on('secureConnect', () => exchange(c));
} else { // verify
  const c = tls.connect({ port: Number(port), host: '127.0.0.1', ca: file('ca.pem'), ...versions });
  c.on('secureConnect', () => { console.log(JSON.stringify({ authorized: c.authorized })); c.end(); });
  c.on('error', (err) => console.log(JSON.stringify({ code: err.code })));
}
