package actors_test

import (
	"net"
	"strconv"
	"syscall"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
)

// TestPropsUnderOwnSupervisor spawns a server and two sockets from exported Props as children
// of a user's actor (one Props spawned twice), checks that they work, and that they stop
// with their parent.
func TestPropsUnderOwnSupervisor(t *testing.T) {
	e := newEnv(t)
	p := e.probe()
	srvProps, err := actors.ServerProps(actors.ServerConfig{Owner: p.pid})
	require.NoError(t, err)
	sockProps, err := actors.SocketProps(actors.SocketConfig{Owner: p.pid})
	require.NoError(t, err)
	type spawn struct{ props *actor.Props }
	parent := e.sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		if m, ok := ctx.Message().(*spawn); ok {
			ctx.Respond(ctx.Spawn(m.props))
		}
	}))
	child := func(props *actor.Props) *actor.PID {
		res, err := e.sys.Root.RequestFuture(parent, &spawn{props}, wait).Result()
		require.NoError(t, err)
		return res.(*actor.PID)
	}

	srv := child(srvProps)
	e.send(srv, &messages.Listen{Host: "127.0.0.1"})
	port := expect[*messages.ListeningEvent](p).Addr.Port
	c1, c2 := child(sockProps), child(sockProps) // one Props, two sockets
	require.False(t, c1.Equal(c2))
	for _, c := range []*actor.PID{c1, c2} {
		e.send(c, &messages.Connect{Host: "127.0.0.1", Port: port})
		var conn *messages.ConnectionEvent
		for connected := false; conn == nil || !connected; { // in either order
			switch ev := p.next().(type) {
			case *messages.ConnectionEvent:
				conn = ev
			case *messages.ConnectEvent:
				connected = true
			}
		}
		e.send(c, &messages.Write{Data: []byte("hi " + c.Id)})
		data := skipTo[*messages.DataEvent](p)
		assert.Equal(t, conn.Socket.Id, data.Socket.Id, "the accepted side reads it")
		assert.Equal(t, "hi "+c.Id, string(data.Data))
	}

	// Stopping the parent stops its children: the sockets close, the server stops listening.
	require.NoError(t, e.sys.Root.StopFuture(parent).Wait())
	closes := 0
	for closes < 4 { // both clients, both accepted sockets
		if _, ok := p.next().(*messages.CloseEvent); ok {
			closes++
		}
	}
	_, err = net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	assert.ErrorIs(t, err, syscall.ECONNREFUSED, "the server still accepts after its parent stopped")
}
