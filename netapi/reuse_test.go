package netapi_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/internal/testkit"
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

			sent := testkit.Pattern(8 << 20)
			recv(t, testkit.SendHeldBack(peer, sent)) // held back, or everything sent
			echoed := make(chan []byte, 1)
			go func() {
				b, _ := io.ReadAll(peer)
				echoed <- b
			}()
			got := recv(t, echoed)
			require.Len(t, got, len(sent))
			if !bytes.Equal(sent, got) {
				t.Fatalf("echo corrupted: sha256 %x, want %x", sha256.Sum256(got), sha256.Sum256(sent))
			}
		})
	}
}
