package remote_test

import (
	"errors"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/remote"
	"github.com/actornet/actornet/supervisor"
)

// TestLinkLostMidStream: when the link between the socket's node and its owner's breaks
// while data flows, the owner gets ErrNodeLost and a CloseEvent, as at the loss of the node,
// and the socket, whose relay stopped, is destroyed: its TCP peer sees the connection end.
func TestLinkLostMidStream(t *testing.T) {
	sys := supervisor.NewSystem(nil)
	defer sys.Shutdown()
	tree := supervisor.NewTree(sys, nil)
	node, err := remote.Start(sys, tree, remote.Config{})
	require.NoError(t, err)
	defer node.Stop()

	listening := make(chan int, 1)
	echoed := make(chan struct{}, 1)
	errs := make(chan error, 1)
	closed := make(chan bool, 1)
	owner := sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *messages.ListeningEvent:
			listening <- m.Addr.Port
		case *messages.DataEvent:
			ctx.Send(m.Socket, &messages.Write{Data: m.Data, Lease: m.Lease})
			select {
			case echoed <- struct{}{}:
			default:
			}
		case *messages.ErrorEvent:
			errs <- m.Err
		case *messages.CloseEvent:
			closed <- m.HadError
		}
	}))
	srv := node.Client(node.Address()).SpawnServer(remote.ServerOptions{Owner: owner,
		Socket: remote.SocketOptions{LendReads: true}})
	sys.Root.Send(srv, &messages.Listen{Port: 0, Host: "127.0.0.1"})
	c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(<-listening)))
	require.NoError(t, err)
	defer c.Close()
	go func() { // a stream that goes on until the connection ends
		b := make([]byte, 16<<10)
		for {
			if _, err := c.Write(b); err != nil {
				return
			}
		}
	}()
	drained := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, c)
		drained <- err
	}()
	select {
	case <-echoed:
	case <-time.After(10 * time.Second):
		t.Fatal("nothing echoed")
	}

	remote.BreakLinks(node)
	select {
	case err := <-errs:
		assert.ErrorIs(t, err, remote.ErrNodeLost)
	case <-time.After(10 * time.Second):
		t.Fatal("no ErrorEvent after the link broke")
	}
	select {
	case hadError := <-closed:
		assert.True(t, hadError)
	case <-time.After(10 * time.Second):
		t.Fatal("no CloseEvent after the link broke")
	}
	select {
	case err := <-drained: // EOF or a reset: the socket was destroyed
		if err != nil {
			var ne *net.OpError
			assert.True(t, errors.As(err, &ne), "got %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the socket was not destroyed after the link broke")
	}
}
