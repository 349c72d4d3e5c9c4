package actors

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/supervisor"
)

// The accept loop reports a failure it cannot survive with acceptFailed; nothing on loopback
// produces one on demand, so this test sends that message itself. Everything after it is the real path: the server binds the same port
// again after a backoff, within its budget, and closes once the budget is spent, while the
// connection accepted before goes on.
func TestListenerRestartsWithinBudget(t *testing.T) {
	sys := supervisor.NewSystem(nil)
	tree := supervisor.NewTree(sys, nil)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, tree.Stop(ctx))
		sys.Shutdown()
	}()
	events := make(chan any, 100)
	owner := sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *messages.DataEvent:
			ctx.Send(m.Socket, &messages.Write{Data: m.Data})
		case actor.SystemMessage, actor.AutoReceiveMessage:
		default:
			events <- m
		}
	}))
	next := func() any {
		select {
		case ev := <-events:
			return ev
		case <-time.After(10 * time.Second):
			t.Fatal("no event")
			return nil
		}
	}
	// serverEvent skips the events of sockets closing meanwhile.
	serverEvent := func() any {
		for {
			switch ev := next().(type) {
			case *messages.EndEvent, *messages.FinishEvent, *messages.CloseEvent:
			default:
				return ev
			}
		}
	}
	budget := supervisor.Budget{MaxRestarts: 2, Window: time.Minute, MinBackoff: 5 * time.Millisecond}
	srv, err := SpawnServer(tree, ServerConfig{Owner: owner, Restart: budget})
	require.NoError(t, err)
	sys.Root.Send(srv, &messages.Listen{Host: "127.0.0.1"})
	port := next().(*messages.ListeningEvent).Addr.Port
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	dial := func() (net.Conn, error) { return net.Dial("tcp", addr) }
	echo := func(c net.Conn, msg string) {
		t.Helper()
		_, err := c.Write([]byte(msg))
		require.NoError(t, err)
		buf := make([]byte, len(msg))
		_, err = io.ReadFull(c, buf)
		require.NoError(t, err)
		assert.Equal(t, msg, string(buf))
	}
	first, err := dial()
	require.NoError(t, err)
	defer first.Close()
	require.IsType(t, &messages.ConnectionEvent{}, next())

	// The server's first Listen is its listener generation 1; a rebind keeps it.
	fail := func() { sys.Root.Send(srv, &acceptFailed{err: errors.New("injected accept failure"), gen: 1}) }
	for attempt := 1; attempt <= 2; attempt++ {
		fail()
		ev := serverEvent().(*messages.ServerErrorEvent)
		assert.Contains(t, ev.Err.Error(), "injected")
		assert.NotErrorIs(t, ev.Err, ErrListenerFailed)
		// Back on the same port, and the connection accepted before goes on.
		var c net.Conn
		require.Eventually(t, func() bool {
			c, err = dial()
			return err == nil
		}, 10*time.Second, 5*time.Millisecond)
		require.IsType(t, &messages.ConnectionEvent{}, serverEvent())
		echo(c, "new")
		c.Close()
		echo(first, "old")
	}
	// Inspect counts them: two rebinds, three connections accepted.
	res, err := sys.Root.RequestFuture(srv, &messages.Inspect{}, 10*time.Second).Result()
	require.NoError(t, err)
	info := res.(*messages.ServerInfo)
	assert.Equal(t, int64(2), info.Restarts, "restarts")
	assert.Equal(t, int64(3), info.Accepted, "accepted")
	// The third failure spends the budget: the server stops accepting for good.
	fail()
	se := serverEvent().(*messages.ServerErrorEvent)
	assert.ErrorIs(t, se.Err, ErrListenerFailed)
	require.Eventually(t, func() bool {
		_, err := dial()
		return errors.Is(err, syscall.ECONNREFUSED)
	}, 10*time.Second, 5*time.Millisecond)
	echo(first, "still")
	first.Close()
	assert.IsType(t, &messages.ServerCloseEvent{}, serverEvent())
}
