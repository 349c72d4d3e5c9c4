//go:build linux

package netapi_test

import (
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/netapi"
)

// Idle sockets hold no goroutine: each reader parks its descriptor with the poller once it has
// been idle for a moment, and starts again when data comes.
func TestIdleSocketsHoldNoGoroutine(t *testing.T) {
	rt := newRuntime(t)
	paused := make(chan *netapi.Socket, 1)
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
		s.OnData(func(b []byte) {
			if string(b) == "pause" {
				s.Pause()
				paused <- s
				return
			}
			s.Write(b, nil)
		})
	})
	port := listen(t, srv)
	base := runtime.NumGoroutine()

	const n = 200
	conns := make([]*net.TCPConn, n)
	for i := range conns {
		conns[i] = dialRaw(t, port)
		echoOnce(t, conns[i])
	}
	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= base+5 }, wait, 5*time.Millisecond,
		"%d sockets, %d goroutines more than before them", n, runtime.NumGoroutine()-base)
	for _, c := range conns { // every parked reader starts again
		echoOnce(t, c)
	}
	// Sockets paused and resumed park again as well.
	for _, c := range conns[:50] {
		_, err := c.Write([]byte("pause"))
		require.NoError(t, err)
		recv(t, paused).Resume()
		echoOnce(t, c)
	}
	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= base+5 }, wait, 5*time.Millisecond,
		"after pause and resume, %d goroutines more than before", runtime.NumGoroutine()-base)
	for _, c := range conns {
		_ = c.Close()
	}
}

func echoOnce(t *testing.T, c *net.TCPConn) {
	t.Helper()
	msg := []byte("are you there?")
	_ = c.SetDeadline(time.Now().Add(wait))
	_, err := c.Write(msg)
	require.NoError(t, err)
	got := make([]byte, len(msg))
	_, err = io.ReadFull(c, got)
	require.NoError(t, err)
	require.Equal(t, msg, got)
}
