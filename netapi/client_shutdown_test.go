package netapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/netapi"
	"github.com/actornet/actornet/supervisor"
)

// Shutdown ends a client with 'close' (OnDown's doc: "Close, and the runtime's Shutdown, end
// a client with 'close' alone") when a connection was up. A client that is down, waiting for
// its retry timer, is not: Shutdown stops the runtime's timers, so c.connect never runs, no
// socket closes to call lost, and 'close' never comes (the client is left neither closed nor
// retrying).
func TestClientDownAtShutdownCloses(t *testing.T) {
	rt := netapi.New(netapi.WithLogger(testkitLogger(t)))
	ln, port := rawListener(t)
	require.NoError(t, ln.Close()) // nothing listens: every attempt is refused
	c := rt.NewClient(netapi.ClientOptions{ConnectOptions: netapi.ConnectOptions{Port: port, Host: "127.0.0.1"},
		Retry: supervisor.Budget{MaxRestarts: 100, Window: time.Hour, MinBackoff: time.Hour, MaxBackoff: time.Hour}})
	down := make(chan time.Duration, 4)
	c.OnDown(func(_ error, retryIn time.Duration) { down <- retryIn })
	closed := make(chan struct{})
	c.OnClose(func() { close(closed) })
	require.Positive(t, recv(t, down), "down, with a retry to come")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, rt.Shutdown(ctx))
	select {
	case <-closed:
	case <-time.After(2 * time.Second):
		t.Fatal("Shutdown returned and the client that was down never got 'close'")
	}
}
