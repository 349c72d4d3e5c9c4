// Node.js baseline of the benchmark: net's echo, with backpressure, errors ignored. With
// "--tls cert.pem key.pem", tls's echo.
const net = require('net');
const tls = require('tls');
const fs = require('fs');
const [mode, certFile, keyFile] = process.argv.slice(2);

const echo = (s) => {
  s.on('error', () => {});
  s.pipe(s);
};
const server = mode === '--tls'
  ? tls.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, echo)
  : net.createServer(echo);
server.on('tlsClientError', () => {});
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  console.log('node echo server listening on ' + a.address + ':' + a.port);
});
