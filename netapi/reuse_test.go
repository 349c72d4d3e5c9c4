package netapi_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/netapi"
)

// An echo server with ReuseReadBuffer and backpressure as in examples/echo: the peer sends
// 8 MiB and reads nothing until the echo has held it back (or, with a high-water mark the
// echo never reaches, until it has sent everything), so Writes of reused slices queue up.
// What comes back must be exactly what was sent.
func TestReuseReadBufferEchoIsIntact(t *testing.T) {
	for _, tc := range []struct {
		loop bool
		hwm  int
	}{{false, 64 << 10}, {true, 64 << 10}, {false, 64 << 20}, {true, 64 << 20}} {
		loop := tc.loop
		t.Run(fmt.Sprintf("eventLoop=%v,highWaterMark=%d", tc.loop, tc.hwm), func(t *testing.T) {
			var opts []netapi.Option
			if loop {
				opts = append(opts, netapi.WithEventLoop())
			}
			rt := newRuntime(t, opts...)
			srv := rt.CreateServer(netapi.ServerOptions{ReuseReadBuffer: true, HighWaterMark: tc.hwm},
				func(s *netapi.Socket) {
					s.OnData(func(b []byte) {
						if !s.Write(b, nil) {
							s.Pause()
						}
					})
					s.OnDrain(func() { s.Resume() })
				})
			peer := dialRaw(t, listen(t, srv))

			const total = 8 << 20
			sent := make([]byte, total)
			for i := range sent {
				sent[i] = byte(i*7 + i/251)
			}
			stalled := make(chan struct{}) // the echo held the peer back (or it sent everything)
			go func() {
				off, held := 0, false
				for off < total {
					if !held {
						_ = peer.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
					}
					n, err := peer.Write(sent[off:])
					off += n
					if err != nil && !held {
						held = true
						close(stalled)
						_ = peer.SetWriteDeadline(time.Time{})
					}
				}
				if !held {
					close(stalled)
				}
				_ = peer.CloseWrite()
			}()
			recv(t, stalled)
			echoed := make(chan []byte, 1)
			go func() {
				b, _ := io.ReadAll(peer)
				echoed <- b
			}()
			got := recv(t, echoed)
			require.Len(t, got, total)
			if !bytes.Equal(sent, got) {
				t.Fatalf("echo corrupted: sha256 %x, want %x", sha256.Sum256(got), sha256.Sum256(sent))
			}
		})
	}
}
