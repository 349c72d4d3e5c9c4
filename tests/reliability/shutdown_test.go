package reliability

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// A connection that the server accepts while Shutdown already runs is closed by it too:
// Shutdown returns, rather than waiting for a socket nobody ends. (Found under load: the
// client had connected, written and closed, and the server side was accepted late.)
func TestShutdownClosesWhatIsAcceptedMeanwhile(t *testing.T) {
	for round := range 20 {
		rt := netapi.New(netapi.WithLogger(testkit.Logger(t)))
		srv := rt.CreateServer(netapi.ServerOptions{}, nil)
		port := testkit.Listen(t, srv)
		c := rt.ConnectPort(port, "127.0.0.1", nil)
		c.Write([]byte("x"), nil)
		c.End(nil, nil)
		closed := make(chan bool, 1)
		c.OnClose(func(h bool) { closed <- h })
		c.Destroy()
		recv(t, closed)
		ctx, cancel := context.WithTimeout(context.Background(), testkit.Wait)
		require.NoError(t, rt.Shutdown(ctx), "round %d", round)
		cancel()
	}
}
