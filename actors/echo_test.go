package actors_test

import (
	"bytes"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/messages"
)

// echoOwner is a server owner actor that writes back what each of its sockets reads.
func (e *env) echoOwner(p *probe) *actor.PID {
	return e.sys.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *messages.DataEvent:
			ctx.Send(m.Socket, &messages.Write{Data: m.Data})
		case actor.SystemMessage, actor.AutoReceiveMessage:
		default:
			p.events <- m
		}
	}))
}

func TestEcho(t *testing.T) {
	e := newEnv(t)
	srv := e.probe()
	cfg := actors.ServerConfig{}
	cfg.Owner = e.echoOwner(srv)
	spid, err := actors.SpawnServer(e.tree, cfg)
	require.NoError(t, err)
	e.send(spid, &messages.Listen{Host: "127.0.0.1"})
	port := expect[*messages.ListeningEvent](srv).Addr.Port

	cli := e.probe()
	c := e.client(cli, actors.SocketConfig{}, port)
	// Written before the connection is up: queued and sent in order once it is.
	e.send(c, &messages.Write{Data: []byte("hello ")})
	e.send(c, &messages.Write{Data: []byte("actors")})

	conn := expect[*messages.ConnectionEvent](srv)
	assert.Equal(t, port, conn.Local.Port)
	assert.Equal(t, "127.0.0.1", conn.Remote.Address)

	ce := expect[*messages.ConnectEvent](cli)
	assert.Equal(t, c, ce.Socket)
	assert.Equal(t, port, ce.Remote.Port)
	assert.Equal(t, "IPv4", ce.Remote.Family)
	assert.Equal(t, conn.Remote.Port, ce.Local.Port)

	var got []byte
	for len(got) < len("hello actors") {
		got = append(got, expect[*messages.DataEvent](cli).Data...)
	}
	assert.Equal(t, "hello actors", string(got))

	// We end first: FIN out, the server (not half-open) ends too, and both sides close.
	e.send(c, &messages.End{})
	expect[*messages.FinishEvent](cli)
	expect[*messages.EndEvent](cli)
	cl := expect[*messages.CloseEvent](cli)
	assert.False(t, cl.HadError)

	// The server's socket: end, finish, close(false).
	expect[*messages.EndEvent](srv)
	expect[*messages.FinishEvent](srv)
	assert.False(t, expect[*messages.CloseEvent](srv).HadError)
	cli.quiet(50e6)
}

func TestManyOrderedWritesArriveInOrder(t *testing.T) {
	e := newEnv(t)
	ln, port := rawListener(t)
	p := e.probe()
	c := e.client(p, actors.SocketConfig{}, port)
	const n = 10000
	var want bytes.Buffer
	for i := range n {
		want.Write(seq(i))
		e.send(c, &messages.Write{Data: seq(i)})
	}
	e.send(c, &messages.End{})
	peer := acceptOne(t, ln)
	got := readAll(t, peer)
	assert.Equal(t, want.Len(), len(got))
	assert.True(t, bytes.Equal(want.Bytes(), got), "bytes arrived out of order")
	skipTo[*messages.ConnectEvent](p) // after a FullEvent if the writes passed the mark first
	skipTo[*messages.FinishEvent](p)
	peer.CloseWrite()
	expect[*messages.EndEvent](p)
	assert.False(t, expect[*messages.CloseEvent](p).HadError)
}
