// The interop peers' side of an exchange: send SIZE random bytes in 64 KiB chunks with
// backpressure, end, read everything until the other side's end, and print one JSON line
// with the sha256 of what was sent and of what was received.
const crypto = require('crypto');
const SIZE = 10 << 20;

module.exports = function exchange(socket) {
  const out = crypto.randomBytes(SIZE);
  const sent = crypto.createHash('sha256').update(out).digest('hex');
  const received = crypto.createHash('sha256');
  let n = 0;
  socket.on('data', (d) => { received.update(d); n += d.length; });
  socket.on('end', () => {
    console.log(JSON.stringify({ sent, received: received.digest('hex'), bytes: n }));
  });
  socket.on('error', (err) => { console.error('peer error', err.code); process.exitCode = 1; });
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
};
