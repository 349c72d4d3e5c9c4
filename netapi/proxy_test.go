package netapi_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// A proxy written with Node's backpressure idiom forwards its data slices to a second socket
// whose peer reads slowly: the stream arrives intact (with ReuseReadBuffer, the read buffer is
// not reused while the other socket's queue still points into it) and never stalls (the
// drain that resumes the source comes after the callback that paused it, as in Node).
func TestProxyBackpressureIdiom(t *testing.T) {
	for _, tc := range []struct {
		reuse bool
		opts  []netapi.Option
	}{
		{false, nil}, {true, nil},
		{false, []netapi.Option{netapi.WithEventLoop()}}, {true, []netapi.Option{netapi.WithEventLoop()}},
	} {
		t.Run(fmt.Sprintf("reuse=%v,loops=%d", tc.reuse, len(tc.opts)), func(t *testing.T) {
			rt := newRuntime(t, tc.opts...)
			sink, sinkPort := rawListener(t)
			srv := rt.CreateServer(netapi.ServerOptions{ReuseReadBuffer: tc.reuse}, func(in *netapi.Socket) {
				out := rt.ConnectPort(sinkPort, "127.0.0.1", nil)
				in.OnData(func(b []byte) {
					if !out.Write(b, nil) {
						in.Pause()
					}
				})
				out.OnDrain(func() { in.Resume() })
				in.OnEnd(func() { out.End(nil, nil) })
			})
			port := listen(t, srv)

			sent := testkit.Pattern(16 << 20)
			got := make(chan []byte, 1)
			go func() {
				c, err := sink.Accept()
				if err != nil {
					got <- nil
					return
				}
				defer c.Close()
				got <- slowRead(c)
			}()
			c := dialRaw(t, port)
			go func() {
				_, _ = c.Write(sent)
				_ = c.CloseWrite()
			}()
			var b []byte
			select {
			case b = <-got:
			case <-time.After(60 * time.Second):
				t.Fatal("the proxy stalled")
			}
			require.Len(t, b, len(sent))
			if !bytes.Equal(b, sent) {
				t.Fatalf("the stream came through changed: sha256 %x, want %x", sha256.Sum256(b), sha256.Sum256(sent))
			}
		})
	}
}

// slowRead reads c to its end in small pieces.
func slowRead(c net.Conn) []byte {
	var b []byte
	buf := make([]byte, 1024)
	for {
		n, err := c.Read(buf)
		b = append(b, buf[:n]...)
		if err == io.EOF || err != nil {
			return b
		}
	}
}

// A socket made in a callback goes on that callback's loop, so the two sockets' callbacks
// take turns, even with several loops: data that comes for the new socket while a callback
// of the first one runs waits for it to return.
func TestSocketMadeInCallbackJoinsItsLoop(t *testing.T) {
	rt := newRuntime(t, netapi.WithEventLoops(4))
	sink, sinkPort := rawListener(t)
	l := newLog()
	srv := rt.CreateServer(netapi.ServerOptions{}, func(in *netapi.Socket) {
		out := rt.NewSocket(netapi.SocketOptions{})
		out.OnData(func([]byte) { l.Add("out data"); out.Destroy() })
		out.ConnectPort(sinkPort, "127.0.0.1", nil)
		in.OnData(func([]byte) {
			l.Add("in data")
			time.Sleep(200 * time.Millisecond) // out's data comes meanwhile
			l.Add("in data returns")
			in.Destroy()
		})
	})
	port := listen(t, srv)
	c := dialRaw(t, port)
	defer c.Close()
	peer := acceptRaw(t, sink)
	defer peer.Close()
	_, err := c.Write([]byte("x"))
	require.NoError(t, err)
	l.WaitFor(t, "in data")
	_, err = peer.Write([]byte("y"))
	require.NoError(t, err)
	require.Equal(t, []string{"in data", "in data returns", "out data"}, l.WaitFor(t, "out data"))
}

// Pipe both ways makes a proxy: 8 MiB sent through it to an echo server come back intact,
// the client's end is carried to the echo server, and the echo server's end back.
func TestPipeProxy(t *testing.T) {
	for _, reuse := range []bool{false, true} {
		t.Run(fmt.Sprintf("reuse=%v", reuse), func(t *testing.T) {
			rt := newRuntime(t)
			echo := rt.CreateServer(netapi.ServerOptions{ReuseReadBuffer: reuse}, func(s *netapi.Socket) {
				netapi.Pipe(s, s)
			})
			echoPort := listen(t, echo)
			proxy := rt.CreateServer(netapi.ServerOptions{ReuseReadBuffer: reuse, AllowHalfOpen: true},
				func(in *netapi.Socket) {
					out := rt.ConnectPort(echoPort, "127.0.0.1", nil)
					netapi.Pipe(in, out)
					netapi.Pipe(out, in)
				})
			c := dialRaw(t, listen(t, proxy))
			defer c.Close()
			sent := testkit.Pattern(8 << 20)
			go func() {
				_, _ = c.Write(sent)
				_ = c.CloseWrite()
			}()
			got := make(chan []byte, 1)
			go func() { got <- slowRead(c) }()
			select {
			case b := <-got:
				require.Len(t, b, len(sent))
				require.True(t, bytes.Equal(b, sent), "the echo came back changed")
			case <-time.After(60 * time.Second):
				t.Fatal("the proxy stalled")
			}
		})
	}
}
