package netapi_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// TestMetrics reads a runtime's instruments with the SDK's manual reader: an echo server with
// two clients, a refused connect, a socket whose peer does not read, and then everything
// closed, when the byte counters must not go back.
func TestMetrics(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())
	rt := newRuntime(t, netapi.WithMeterProvider(mp))

	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
		s.OnData(func(b []byte) { s.Write(b, nil) })
	})
	port := listen(t, srv)
	echoed := make(chan struct{}, 2)
	var clients []*netapi.Socket
	for range 2 {
		c := rt.ConnectPort(port, "127.0.0.1", nil)
		c.OnData(func([]byte) { echoed <- struct{}{} })
		c.WriteString("hello", nil)
		clients = append(clients, c)
	}
	recv(t, echoed)
	recv(t, echoed)

	// A connect refused: a port that was just free.
	ln, refusedPort := rawListener(t)
	require.NoError(t, ln.Close())
	refused := make(chan error, 1)
	// The listener goes on before Connect: outside a loop the refusal may come first.
	refusing := rt.NewSocket(netapi.SocketOptions{})
	refusing.OnError(func(err error) { refused <- err })
	refusing.ConnectPort(refusedPort, "127.0.0.1", nil)
	assert.Equal(t, "ECONNREFUSED", netapi.Code(recv(t, refused)))

	// A peer that never reads: what the kernel does not take stays queued.
	sink, sinkPort := rawListener(t)
	connected := make(chan struct{})
	stuck := rt.ConnectPort(sinkPort, "127.0.0.1", func() { close(connected) })
	testkit.Accept(t, sink)
	recv(t, connected)
	const big = 32 << 20
	stuck.Write(make([]byte, big), nil)

	got := testkit.Metrics(t, reader)
	want := map[string]int64{
		"actornet.sockets.open actornet.socket.kind=client":   3,
		"actornet.sockets.open actornet.socket.kind=accepted": 2,
		"actornet.servers.listening":                          1,
		"actornet.socket.read.bytes":                          20, // 5 each way on 2 connections
		"actornet.socket.written.bytes":                       20 + big,
		"actornet.connections.accepted":                       2,
		"actornet.errors error.code=ECONNREFUSED":             1,
	}
	for k, v := range want {
		assert.Equal(t, v, got[k], "%s: got %d, want %d (all: %v)", k, got[k], v, got)
	}
	assert.Greater(t, got["actornet.socket.queued.bytes"], int64(0), "queued bytes with a peer that does not read")
	assert.LessOrEqual(t, got["actornet.socket.queued.bytes"], int64(big))

	// Everything closed: nothing open, the byte counters as they were.
	stuck.Destroy()
	for _, c := range clients {
		c.End(nil, nil)
	}
	srv.Close(nil)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, rt.Wait(ctx))
	assert.Zero(t, netapi.MetricsTracked(rt), "closed sockets kept for the next collection")
	for range 2 { // a collection folds the closed sockets; the next must agree
		got = testkit.Metrics(t, reader)
		for k, v := range map[string]int64{
			"actornet.sockets.open actornet.socket.kind=client":   0,
			"actornet.sockets.open actornet.socket.kind=accepted": 0,
			"actornet.servers.listening":                          0,
			"actornet.socket.read.bytes":                          20,
			"actornet.socket.written.bytes":                       20 + big,
			"actornet.socket.queued.bytes":                        0,
			"actornet.connections.accepted":                       2,
		} {
			assert.Equal(t, v, got[k], "after close, %s: got %d, want %d (all: %v)", k, got[k], v, got)
		}
	}
}

// TestNoMetricsWithoutProvider: without WithMeterProvider nothing is registered anywhere, so
// a reader of another provider sees nothing of ours.
func TestNoMetricsWithoutProvider(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())
	rt := newRuntime(t)
	srv := rt.CreateServer(netapi.ServerOptions{}, nil)
	listen(t, srv)
	assert.Empty(t, testkit.Metrics(t, reader))
	srv.Close(nil)
}

// TestMetricsAcrossReconnect: a socket that connects again after its close keeps adding to
// the byte counters, whether or not a collection came between.
func TestMetricsAcrossReconnect(t *testing.T) {
	for _, between := range []bool{false, true} {
		reader := sdkmetric.NewManualReader()
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
		rt := newRuntime(t, netapi.WithMeterProvider(mp))
		srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
			s.OnData(func(b []byte) { s.End(b, nil) })
		})
		port := listen(t, srv)
		closed := make(chan struct{}, 2)
		c := rt.NewSocket(netapi.SocketOptions{})
		c.OnData(func([]byte) {})
		c.OnClose(func(bool) { closed <- struct{}{} })
		c.ConnectPort(port, "127.0.0.1", nil).WriteString("hello", nil)
		recv(t, closed) // echoed, ended by the server, closed
		if between {
			testkit.Metrics(t, reader)
		}
		c.ConnectPort(port, "127.0.0.1", nil).WriteString("again!", nil)
		recv(t, closed)
		got := testkit.Metrics(t, reader)
		assert.Equal(t, int64(22), got["actornet.socket.read.bytes"], "collection between: %v; all: %v", between, got)
		assert.Equal(t, int64(22), got["actornet.socket.written.bytes"], "collection between: %v; all: %v", between, got)
		srv.Close(nil)
		require.NoError(t, mp.Shutdown(context.Background()))
	}
}
