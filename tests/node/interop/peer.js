// Interop peer for the Go tests: as "server" it listens on 127.0.0.1:0 and prints its port; as
// "client" it connects to the port given. Either way it runs exchange.js (10 MiB each way,
// half-close) and prints the hashes.
const net = require('net');
const exchange = require('./exchange');
const [role, arg] = process.argv.slice(2);

if (role === 'server') {
  const server = net.createServer({ allowHalfOpen: true }, (s) => { exchange(s); server.close(); });
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
} else {
  const c = net.connect({ port: Number(arg), host: '127.0.0.1', allowHalfOpen: true });
  exchange(c);
}
