package actors_test

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
)

// A client without AllowHalfOpen now ends its socket's side only once its owner answered the
// EndEvent request. An owner that is gone (or a PID that does not auto-respond) answers with
// a DeadLetterResponse, which the client only forwards: the socket never sends its FIN, the
// connection stays half-open for good, and the client never reconnects. Before, the socket's
// owner was the client itself, which always answered.
func TestClientEndsItsSideWhenItsOwnerIsGone(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	c, err := actors.SpawnClient(e.tree, actors.ClientConfig{Owner: p.pid,
		Connect: messages.Connect{Port: port, Host: "127.0.0.1"}})
	require.NoError(t, err)
	peer := acceptOne(t, ln)
	defer peer.Close()
	skipTo[*messages.ClientUpEvent](p)
	require.NoError(t, e.sys.Root.StopFuture(p.pid).Wait())
	require.NoError(t, peer.CloseWrite())
	require.NoError(t, peer.SetReadDeadline(time.Now().Add(3*time.Second)))
	_, err = io.ReadAll(peer)
	assert.NoError(t, err, "the client's socket never ended its side after the peer's FIN")
	e.send(c, &messages.Destroy{})
}
