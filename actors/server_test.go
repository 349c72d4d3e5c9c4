package actors_test

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

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/messages"
	"github.com/actornet/actornet/supervisor"
)

var dialRaw = func(t *testing.T, port int) *net.TCPConn { return testkit.Dial(t, port) }

func TestListenAddressInUse(t *testing.T) {
	e := newEnv(t)
	p := e.probe()
	_, port := e.server(p, actors.ServerConfig{})

	q := e.probe()
	second, err := actors.SpawnServer(e.tree, actors.ServerConfig{Owner: q.pid})
	require.NoError(t, err)
	e.send(second, &messages.Listen{Port: port, Host: "127.0.0.1"})
	assert.ErrorIs(t, expect[*messages.ServerErrorEvent](q).Err, syscall.EADDRINUSE)
	// Left unbound and free to listen again.
	e.send(second, &messages.Listen{Host: "127.0.0.1"})
	assert.NotEqual(t, port, expect[*messages.ListeningEvent](q).Addr.Port)
	e.send(second, &messages.Listen{Host: "127.0.0.1"})
	assert.ErrorIs(t, expect[*messages.ServerErrorEvent](q).Err, actors.ErrServerAlreadyListening)
}

func TestListenBadInput(t *testing.T) {
	e := newEnv(t)
	p := e.probe()
	pid, err := actors.SpawnServer(e.tree, actors.ServerConfig{Owner: p.pid})
	require.NoError(t, err)
	e.send(pid, &messages.Listen{Port: 70000})
	assert.ErrorIs(t, expect[*messages.ServerErrorEvent](p).Err, actors.ErrInvalidPort)
	e.send(pid, &messages.Listen{Host: "no-such-host.invalid"})
	var dnsErr *net.DNSError
	assert.ErrorAs(t, expect[*messages.ServerErrorEvent](p).Err, &dnsErr)
	e.send(pid, &messages.Close{})
	assert.ErrorIs(t, expect[*messages.ServerErrorEvent](p).Err, actors.ErrServerNotRunning)
	expect[*messages.ServerCloseEvent](p)
	e.send(pid, &messages.Listen{Host: "127.0.0.1"})
	expect[*messages.ListeningEvent](p)
}

func TestServerCloseWaitsForConnections(t *testing.T) {
	e := newEnv(t)
	p := e.probe()
	srv, port := e.server(p, actors.ServerConfig{})
	c1 := dialRaw(t, port)
	conn := expect[*messages.ConnectionEvent](p)

	e.send(srv, &messages.Close{})
	res, err := e.sys.Root.RequestFuture(srv, &messages.Inspect{}, wait).Result()
	require.NoError(t, err)
	assert.Equal(t, "closing", res.(*messages.ServerInfo).State)
	// Refused as soon as Close is handled...
	_, err = net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	// ...but the open connection works both ways, and the close event waits for it.
	_, _ = c1.Write([]byte("still here"))
	assert.Equal(t, "still here", string(expect[*messages.DataEvent](p).Data))
	e.send(conn.Socket, &messages.Write{Data: []byte("me too")})
	buf := make([]byte, 6)
	_, err = io.ReadFull(c1, buf)
	require.NoError(t, err)
	assert.Equal(t, "me too", string(buf))
	p.quiet(50 * time.Millisecond)

	c1.Close()
	expect[*messages.EndEvent](p)
	expect[*messages.FinishEvent](p)
	expect[*messages.CloseEvent](p)
	expect[*messages.ServerCloseEvent](p)
}

// TestCloseTokens checks that each ServerCloseEvent names the Close messages it answers, so an
// owner can tell the answer to its own Close from an earlier one's.
func TestCloseTokens(t *testing.T) {
	e := newEnv(t)
	p := e.probe()
	loop := actors.NewLoop()
	srv, _ := e.server(p, actors.ServerConfig{Loop: loop})
	gate := make(chan struct{})
	loop.Post(func() { <-gate }) // both Closes are queued before the server handles either
	e.send(srv, &messages.Close{Token: "first"})
	e.send(srv, &messages.Close{Token: "second"}) // closing already: not running
	close(gate)
	failed := expect[*messages.ServerErrorEvent](p)
	assert.Equal(t, "second", failed.Token)
	assert.ErrorIs(t, failed.Err, actors.ErrServerNotRunning)
	assert.Equal(t, []any{"first", "second"}, expect[*messages.ServerCloseEvent](p).Tokens)
	e.send(srv, &messages.Close{Token: "third"}) // closed: answered at once, alone
	assert.Equal(t, "third", expect[*messages.ServerErrorEvent](p).Token)
	assert.Equal(t, []any{"third"}, expect[*messages.ServerCloseEvent](p).Tokens)
}

func TestPanicInOneConnectionLeavesOthersRunning(t *testing.T) {
	e := newEnv(t)
	p := e.probe()
	owner := e.sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *messages.DataEvent:
			ctx.Send(m.Socket, &messages.Write{Data: m.Data})
		case actor.SystemMessage, actor.AutoReceiveMessage:
		default:
			p.events <- m
		}
	}))
	// The first socket runs a handler that panics; the others are echoed by the owner actor.
	accepted := 0
	panicky := func(ev any) {
		if _, ok := ev.(*messages.DataEvent); ok {
			panic(errors.New("boom"))
		}
	}
	srvPID, err := actors.SpawnServer(e.tree, actors.ServerConfig{Owner: owner,
		PrepareSocket: func(cfg actors.SocketConfig) actors.SocketConfig {
			if accepted++; accepted == 1 {
				cfg.Handler = panicky
			}
			return cfg
		}})
	require.NoError(t, err)
	e.send(srvPID, &messages.Listen{Host: "127.0.0.1"})
	port := expect[*messages.ListeningEvent](p).Addr.Port

	const n = 5
	conns := make([]*net.TCPConn, n)
	sockets := make([]*actor.PID, n)
	for i := range n {
		conns[i] = dialRaw(t, port)
		sockets[i] = expect[*messages.ConnectionEvent](p).Socket
	}
	_, _ = conns[0].Write([]byte("x"))
	_, err = io.ReadAll(conns[0]) // closed by the panic
	require.NoError(t, err)

	for i := 1; i < n; i++ {
		_, _ = conns[i].Write([]byte("echo"))
		buf := make([]byte, 4)
		_, err := io.ReadFull(conns[i], buf)
		require.NoError(t, err, "connection %d", i)
		assert.Equal(t, "echo", string(buf))
	}
	// The server still accepts.
	dialRaw(t, port)
	expect[*messages.ConnectionEvent](p)
}

func TestHeldSocketDeliversNothingBeforeRegister(t *testing.T) {
	e := newEnv(t)
	p := e.probe()
	_, port := e.server(p, actors.ServerConfig{HoldAccepted: true})
	c := dialRaw(t, port)
	_, _ = c.Write([]byte("early"))
	conn := expect[*messages.ConnectionEvent](p)
	p.quiet(100 * time.Millisecond)
	q := e.probe()
	e.send(conn.Socket, &messages.Register{Owner: q.pid})
	assert.Equal(t, "early", string(expect[*messages.DataEvent](q).Data))
}

func TestMaxConnections(t *testing.T) {
	e := newEnv(t)
	p := e.probe()
	_, port := e.server(p, actors.ServerConfig{MaxConnections: 1})
	dialRaw(t, port)
	expect[*messages.ConnectionEvent](p)
	extra := dialRaw(t, port)
	_ = extra.SetReadDeadline(time.Now().Add(wait))
	_, err := extra.Read(make([]byte, 1))
	assert.Error(t, err, "the connection beyond the limit is closed at once")
	p.quiet(50 * time.Millisecond)
}

func TestServerOwnerDeathClosesServer(t *testing.T) {
	e := newEnv(t)
	p := e.probe()
	_, port := e.server(p, actors.ServerConfig{})
	c := dialRaw(t, port)
	expect[*messages.ConnectionEvent](p)
	require.NoError(t, e.sys.Root.StopFuture(p.pid).Wait())
	_ = c.SetReadDeadline(time.Now().Add(wait))
	_, err := c.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF, "the accepted socket is closed with its server")
	require.Eventually(t, func() bool {
		_, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		return errors.Is(err, syscall.ECONNREFUSED)
	}, wait, 10*time.Millisecond)
}

func TestSnapshot(t *testing.T) {
	e := newEnv(t)
	p := e.probe()
	srv, port := e.server(p, actors.ServerConfig{})
	cp := e.probe()
	cli := e.client(cp, actors.SocketConfig{}, port)
	expect[*messages.ConnectEvent](cp)
	conn := expect[*messages.ConnectionEvent](p)
	e.send(cli, &messages.Write{Data: []byte("12345"), Token: 1})
	expect[*messages.WrittenEvent](cp)
	assert.Len(t, expect[*messages.DataEvent](p).Data, 5)
	e.send(conn.Socket, &messages.Pause{})

	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	snap, err := e.tree.Snapshot(ctx)
	require.NoError(t, err)
	require.Len(t, snap.Servers, 1)
	assert.True(t, snap.Servers[0].PID.Equal(srv))
	assert.Equal(t, "listening", snap.Servers[0].State)
	assert.Equal(t, port, snap.Servers[0].Addr.Port)
	require.Len(t, snap.Servers[0].Sockets, 1)
	accepted := snap.Servers[0].Sockets[0]
	assert.Equal(t, "paused", accepted.State)
	assert.Equal(t, int64(5), accepted.BytesRead)
	require.Len(t, snap.Clients, 1)
	assert.Equal(t, "open", snap.Clients[0].State)
	assert.Equal(t, int64(5), snap.Clients[0].BytesWritten)
	assert.Equal(t, accepted.Remote, snap.Clients[0].Local)
}

func TestSpawnRejectsBadConfig(t *testing.T) {
	e := newEnv(t)
	_, err := actors.SpawnSocket(e.tree, actors.SocketConfig{HighWaterMark: -1})
	assert.Error(t, err)
	_, err = actors.SpawnServer(e.tree, actors.ServerConfig{Restart: supervisor.Budget{Window: -1}})
	assert.ErrorIs(t, err, supervisor.ErrInvalidBudget)
}
