package actors_test

import (
	"io"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/actors"
	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/messages"
)

func (e *env) inspect(pid *actor.PID) *messages.SocketInfo {
	e.t.Helper()
	res, err := e.sys.Root.RequestFuture(pid, &messages.Inspect{}, wait).Result()
	require.NoError(e.t, err)
	info, ok := res.(*messages.SocketInfo)
	require.True(e.t, ok, "got %T, want *messages.SocketInfo", res)
	return info
}

// TestInspectExactStates: each state Inspect names on its own, entered and left.
func TestInspectExactStates(t *testing.T) {
	t.Run("paused", func(t *testing.T) {
		e := newEnv(t)
		ln, port := rawListener(t)
		p := e.probe()
		c := e.client(p, actors.SocketConfig{}, port)
		acceptOne(t, ln)
		expect[*messages.ConnectEvent](p)
		assert.False(t, e.inspect(c).Paused)
		e.send(c, &messages.Pause{})
		info := e.inspect(c)
		assert.True(t, info.Paused, "after Pause: %+v", info)
		assert.Equal(t, "paused", info.State)
		e.send(c, &messages.Resume{})
		assert.False(t, e.inspect(c).Paused, "after Resume")
	})
	t.Run("awaiting a consumer", func(t *testing.T) {
		e := newEnv(t)
		ln, port := rawListener(t)
		p := e.probe()
		c := e.client(p, actors.SocketConfig{AwaitConsumer: true}, port)
		peer := acceptOne(t, ln)
		expect[*messages.ConnectEvent](p)
		_, err := peer.Write([]byte("held"))
		require.NoError(t, err)
		// Bounded: the read is held once the reader has handed it over.
		var info *messages.SocketInfo
		for range 1000 {
			if info = e.inspect(c); info.Held == 4 {
				break
			}
		}
		assert.True(t, info.AwaitingConsumer, "%+v", info)
		assert.Equal(t, 4, info.Held, "bytes held")
		e.send(c, &messages.Flow{})
		assert.Equal(t, "held", string(expect[*messages.DataEvent](p).Data))
		info = e.inspect(c)
		assert.False(t, info.AwaitingConsumer, "after Flow")
		assert.Zero(t, info.Held, "after Flow")
	})
	t.Run("buffer lent", func(t *testing.T) {
		e := newEnv(t)
		ln, port := rawListener(t)
		p := e.probe()
		c := e.client(p, actors.SocketConfig{LendReads: true}, port)
		peer := acceptOne(t, ln)
		expect[*messages.ConnectEvent](p)
		_, err := peer.Write([]byte("lent"))
		require.NoError(t, err)
		ev := expect[*messages.DataEvent](p)
		require.NotNil(t, ev.Lease)
		assert.True(t, e.inspect(c).BufferLent, "while the DataEvent's lease is held")
		ev.Lease.Release()
		var info *messages.SocketInfo
		for range 1000 { // the release reaches the socket as a message
			if info = e.inspect(c); !info.BufferLent {
				break
			}
		}
		assert.False(t, info.BufferLent, "after the release")
	})
	t.Run("draining", func(t *testing.T) {
		e := newEnv(t)
		ln, port := rawListener(t)
		p := e.probe()
		c := e.client(p, actors.SocketConfig{}, port)
		peer := acceptOne(t, ln) // never reads until the end
		expect[*messages.ConnectEvent](p)
		const big = 16 << 20
		e.send(c, &messages.Write{Data: make([]byte, big)})
		expect[*messages.FullEvent](p)
		info := e.inspect(c)
		assert.True(t, info.Draining, "%+v", info)
		assert.Positive(t, info.Queued)
		go func() { _, _ = io.Copy(io.Discard, peer) }()
		expect[*messages.DrainEvent](p)
		info = e.inspect(c)
		assert.False(t, info.Draining, "after DrainEvent")
		assert.Zero(t, info.Queued, "after DrainEvent")
		e.send(c, &messages.Destroy{})
		skipTo[*messages.CloseEvent](p)
	})
	t.Run("half-closed each way", func(t *testing.T) {
		e := newEnv(t)
		ln, port := rawListener(t)
		p := e.probe()
		ours := e.client(p, actors.SocketConfig{AllowHalfOpen: true}, port)
		peer := acceptOne(t, ln)
		expect[*messages.ConnectEvent](p)
		info := e.inspect(ours)
		assert.False(t, info.ReadEnded || info.WriteEnded, "%+v", info)

		require.NoError(t, peer.CloseWrite()) // the peer's half
		expect[*messages.EndEvent](p)
		info = e.inspect(ours)
		assert.True(t, info.ReadEnded, "after the peer's FIN: %+v", info)
		assert.False(t, info.WriteEnded, "after the peer's FIN: %+v", info)
		assert.Equal(t, "read-ended", info.State)

		e.send(ours, &messages.End{}) // ours: both done, the socket closes
		expect[*messages.FinishEvent](p)
		expect[*messages.CloseEvent](p)
	})
	t.Run("write ended", func(t *testing.T) {
		e := newEnv(t)
		ln, port := rawListener(t)
		p := e.probe()
		ours := e.client(p, actors.SocketConfig{AllowHalfOpen: true}, port)
		acceptOne(t, ln)
		expect[*messages.ConnectEvent](p)
		e.send(ours, &messages.End{})
		expect[*messages.FinishEvent](p)
		info := e.inspect(ours)
		assert.True(t, info.WriteEnded, "after FinishEvent: %+v", info)
		assert.False(t, info.ReadEnded, "after FinishEvent: %+v", info)
		assert.Equal(t, "half-closed", info.State)
	})
}

// TestInspectServerCounts: a server counts what it accepted and what it refused.
func TestInspectServerCounts(t *testing.T) {
	e := newEnv(t)
	p := e.probe()
	srv, port := e.server(p, actors.ServerConfig{MaxConnections: 1})
	testkit.Dial(t, port)
	skipTo[*messages.ConnectionEvent](p)
	second := testkit.Dial(t, port)
	_, err := second.Read(make([]byte, 1)) // closed at once: EOF or a reset
	require.Error(t, err)
	res, err := e.sys.Root.RequestFuture(srv, &messages.Inspect{}, wait).Result()
	require.NoError(t, err)
	info := res.(*messages.ServerInfo)
	assert.Equal(t, int64(1), info.Accepted, "accepted")
	assert.Equal(t, int64(1), info.Refused, "refused")
	assert.Zero(t, info.Restarts, "restarts")
}
