package supervisor_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/netapi"
)

// TestRegisterMetrics reads the tree's instruments with the SDK's manual reader: a server
// that takes one connection and refuses the next, its client paused; then the server gone,
// when its counts must stay.
func TestRegisterMetrics(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())
	rt := testkit.Runtime(t)
	reg, err := rt.Tree().RegisterMetrics(mp)
	require.NoError(t, err)
	defer reg.Unregister()

	srv := rt.CreateServer(netapi.ServerOptions{MaxConnections: 1}, nil)
	port := testkit.Listen(t, srv)
	connected := make(chan struct{})
	c := rt.ConnectPort(port, "127.0.0.1", func() { close(connected) })
	testkit.Recv(t, connected)
	c.Pause()
	second := testkit.Dial(t, port)
	_, err = second.Read(make([]byte, 1)) // closed at once
	require.Error(t, err)

	got := testkit.Metrics(t, reader)
	for k, v := range map[string]int64{
		"actornet.tree.sockets actornet.socket.kind=client":     1,
		"actornet.tree.sockets actornet.socket.kind=accepted":   1,
		"actornet.tree.sockets.paused":                          1,
		"actornet.tree.sockets.draining":                        0,
		"actornet.tree.servers actornet.server.state=listening": 1,
		"actornet.tree.connections.accepted":                    1,
		"actornet.tree.connections.refused":                     1,
		"actornet.tree.listener.restarts":                       0,
	} {
		assert.Equal(t, v, got[k], "%s: got %d, want %d (all: %v)", k, got[k], v, got)
	}

	c.Destroy()
	srv.Close(nil)
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Wait)
	defer cancel()
	require.NoError(t, rt.Wait(ctx))

	// A server of the actor face that accepts one connection and is then stopped: the
	// counters keep what it counted.
	ports := make(chan int, 1)
	pid, err := actors.SpawnServer(rt.Tree(), actors.ServerConfig{Handler: func(ev any) {
		if l, ok := ev.(*messages.ListeningEvent); ok {
			ports <- l.Addr.Port
		}
	}})
	require.NoError(t, err)
	rt.System().Root.Send(pid, &messages.Listen{Host: "127.0.0.1"})
	testkit.Dial(t, testkit.Recv(t, ports))
	for i := 0; testkit.Metrics(t, reader)["actornet.tree.connections.accepted"] != 2; i++ {
		require.Less(t, i, 1000, "the second server's connection is never counted")
	}
	require.NoError(t, rt.System().Root.StopFuture(pid).Wait())

	got = testkit.Metrics(t, reader)
	for k, v := range map[string]int64{
		"actornet.tree.sockets actornet.socket.kind=client": 0,
		"actornet.tree.sockets.paused":                      0,
		"actornet.tree.connections.accepted":                2,
		"actornet.tree.connections.refused":                 1,
	} {
		assert.Equal(t, v, got[k], "after close, %s: got %d, want %d (all: %v)", k, got[k], v, got)
	}
}
