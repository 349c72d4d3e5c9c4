package netapi_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/netapi"
)

// "A Client ... Its callbacks run on its loop, one at a time." An 'up' listener added while
// a connection is up is called "soon after, on the client's loop", but it is posted to
// rt.loopForNew(): from outside a loop, the runtime's next loop, not the one the client's
// connection and its 'data' listeners run on, so it can run at the same time as them.
func TestLateOnUpRunsOnTheClientsLoop(t *testing.T) {
	rt := newRuntime(t)
	ln, port := rawListener(t)
	c := rt.NewClient(netapi.ClientOptions{ConnectOptions: netapi.ConnectOptions{Port: port, Host: "127.0.0.1"}})
	dataLoop := make(chan *actors.Loop, 1)
	c.OnData(func([]byte) {
		select {
		case dataLoop <- actors.CurrentLoop():
		default:
		}
	})
	peer := acceptRaw(t, ln)
	defer peer.Close()
	_, err := peer.Write([]byte("hello"))
	assert.NoError(t, err)
	dl := recv(t, dataLoop) // the client is up
	upLoop := make(chan *actors.Loop, 1)
	c.OnUp(func() { upLoop <- actors.CurrentLoop() })
	ul := recv(t, upLoop)
	assert.True(t, dl == ul, "the late 'up' listener ran on another loop than the client's 'data' listener")
	closed := make(chan struct{})
	c.OnClose(func() { close(closed) })
	c.Close()
	_ = peer.Close()
	recv(t, closed)
}
