// Interop peer for the Go tests: as "server" it listens on 127.0.0.1:0 and prints its port; as
// "client" it connects to the port given. Either way it sends SIZE random bytes, ends its side,
// reads everything the other side sends until its end, and prints one JSON line with the
// sha256 of what it sent and of what it received.
const net = require('net');
const crypto = require('crypto');
const [role, arg] = process.argv.slice(2);
const SIZE = 10 << 20;

function exchange(socket) {
  const out = crypto.randomBytes(SIZE);
  const sent = crypto.createHash('sha256').update(out).digest('hex');
  const received = crypto.createHash('sha256');
  let n = 0;
  socket.on('data', (d) => { received.update(d); n += d.length; });
  socket.on('end', () => {
    console.log(JSON.stringify({ sent, received: received.digest('hex'), bytes: n }));
  });
  socket.on('error', (err) => { console.error('peer error', err.code); process.exitCode = 1; });
  // Chunks of 64 KiB with backpressure, as a real writer would.
  let off = 0;
  const write = () => {
    while (off < out.length) {
      const chunk = out.subarray(off, off + (64 << 10));
      off += chunk.length;
      if (!socket.write(chunk)) return socket.once('drain', write);
    }
    socket.end();
  };
  write();
}

if (role === 'server') {
  const server = net.createServer({ allowHalfOpen: true }, (s) => { exchange(s); server.close(); });
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
} else {
  const c = net.connect({ port: Number(arg), host: '127.0.0.1', allowHalfOpen: true });
  exchange(c);
}
